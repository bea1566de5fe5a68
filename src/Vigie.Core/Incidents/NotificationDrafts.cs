using System.Globalization;
using System.Text;
using Vigie.Core.Alerts;
using Vigie.Core.Establishments;
using Vigie.Core.Time;

namespace Vigie.Core.Incidents;

/// <summary>
/// Drafts a notification from the case, as Markdown, for one clock: the nature of the incident or breach, the
/// categories and approximate numbers of people and records, the contact point, the likely consequences, the
/// measures taken and proposed, and the timeline. Moroccan authorities get French, the others English. A draft
/// is for a person to check and send; it names no patient, and shows the incident's TLP marking.
/// </summary>
public static class NotificationDrafts
{
    public static string Markdown(Incident incident, Qualification? q, RegulatoryClocks.Clock clock, Establishment establishment, DateTime now)
    {
        var french = clock.Regulation is RegulatoryClocks.Loi0520 or RegulatoryClocks.Loi0908;
        var zone = establishment.TimeZone;
        string T(DateTime? utc) => utc is { } u ? LocalTime.Format(u, zone) : (french ? "inconnue" : "unknown");
        string Or(string? text, string fallback) => string.IsNullOrWhiteSpace(text) ? fallback : text.Trim();
        string List(IReadOnlyList<string>? items, string fallback) => items is { Count: > 0 } ? string.Join(", ", items) : fallback;
        string Number(int? n, string fallback) => n is { } x ? $"about {x.ToString("N0", CultureInfo.InvariantCulture)}" : fallback;
        string Nombre(int? n, string fallback) => n is { } x ? $"environ {x.ToString("N0", CultureInfo.GetCultureInfo("fr-FR"))}" : fallback;

        var done = incident.Tasks.Where(t => t.Status == "done").OrderBy(t => t.DoneAt).ToList();
        var todo = incident.Tasks.Where(t => t.Status == "todo").OrderBy(t => t.Position).ToList();
        var sb = new StringBuilder();
        var tlp = SharingMarkings.Label("TLP", incident.Tlp);
        if (french)
        {
            sb.Append("# ").Append(clock.Regulation == RegulatoryClocks.Loi0520
                ? "Déclaration d'incident de cybersécurité"
                : "Fiche du registre des violations de données à caractère personnel").Append('\n');
            sb.Append('\n').Append("**").Append(tlp).Append("** — projet établi par Vigie le ").Append(T(now)).Append(", à vérifier avant envoi.\n\n");
            sb.Append("| | |\n|---|---|\n");
            sb.Append("| Destinataire | ").Append(clock.Regulation == RegulatoryClocks.Loi0520 ? "DGSSI, autorité nationale de la cybersécurité" : "CNDP (registre des violations tenu par le responsable du traitement)").Append(" |\n");
            sb.Append("| Fondement | ").Append(clock.Regulation == RegulatoryClocks.Loi0520 ? "loi n° 05-20 relative à la cybersécurité, article 8" : "loi n° 09-08 relative à la protection des personnes physiques à l'égard du traitement des données à caractère personnel").Append(" |\n");
            sb.Append("| Échéance | ").Append(T(clock.Deadline)).Append(" |\n");
            sb.Append("| Établissement | ").Append(establishment.Name).Append(" (").Append(establishment.Code).Append(") |\n");
            sb.Append("| Référence interne | incident ").Append(incident.Id.ToString(CultureInfo.InvariantCulture)).Append(" — ").Append(incident.Title).Append(" |\n");
            sb.Append("| Point de contact | ").Append(Or(q?.Contact, "à compléter")).Append(" |\n\n");
            sb.Append("## Nature de l'incident\n\n").Append(Or(q?.Nature, Or(incident.Description, incident.Title))).Append("\n\n");
            sb.Append("Type : ").Append(incident.Type.ToName()).Append(" ; gravité : ").Append(incident.Severity.ToName()).Append(".\n\n");
            sb.Append("## Dates\n\n");
            sb.Append("- Premières activités observées : ").Append(T(incident.FirstActivityAt)).Append('\n');
            sb.Append("- Détection : ").Append(T(incident.DetectedAt ?? incident.CreatedAt)).Append('\n');
            sb.Append("- Qualification (prise de connaissance) : ").Append(T(incident.QualifiedAt)).Append('\n');
            if (incident.ContainedAt is not null)
                sb.Append("- Confinement : ").Append(T(incident.ContainedAt)).Append('\n');
            sb.Append("\n## Personnes et données concernées\n\n");
            sb.Append("- Données à caractère personnel : ").Append(q?.PersonalData == true ? "oui" : "non").Append('\n');
            sb.Append("- Catégories de personnes : ").Append(List(q?.CategoriesOfPeople, "à préciser")).Append('\n');
            sb.Append("- Nombre approximatif de personnes : ").Append(Nombre(q?.PeopleAffected, "à préciser")).Append('\n');
            sb.Append("- Catégories de données : ").Append(List(q?.CategoriesOfData, "à préciser")).Append('\n');
            sb.Append("- Nombre approximatif d'enregistrements : ").Append(Nombre(q?.RecordsAffected, "à préciser")).Append("\n\n");
            sb.Append("## Conséquences probables\n\n").Append(Or(q?.Consequences, "À évaluer.")).Append("\n\n");
            sb.Append("## Mesures prises et envisagées\n\n");
            if (!string.IsNullOrWhiteSpace(q?.Measures))
                sb.Append(q!.Measures!.Trim()).Append("\n\n");
            foreach (var t in done)
                sb.Append("- Fait (").Append(T(t.DoneAt)).Append(") : ").Append(t.Title).Append('\n');
            foreach (var t in todo.Take(10))
                sb.Append("- Prévu : ").Append(t.Title).Append('\n');
        }
        else
        {
            sb.Append("# ").Append(clock.Title).Append('\n');
            sb.Append('\n').Append("**").Append(tlp).Append("** — draft prepared by Vigie on ").Append(T(now)).Append(", to be checked before sending.\n\n");
            sb.Append("| | |\n|---|---|\n");
            sb.Append("| Recipient | ").Append(clock.Recipient).Append(" |\n");
            sb.Append("| Legal basis | ").Append(clock.Basis).Append(" |\n");
            sb.Append("| Deadline | ").Append(T(clock.Deadline)).Append(" |\n");
            sb.Append("| Controller / entity | ").Append(establishment.Name).Append(" (").Append(establishment.Code).Append(") |\n");
            sb.Append("| Internal reference | incident ").Append(incident.Id.ToString(CultureInfo.InvariantCulture)).Append(" — ").Append(incident.Title).Append(" |\n");
            sb.Append("| Contact point | ").Append(Or(q?.Contact, "to be completed (the data protection officer)")).Append(" |\n\n");
            sb.Append("## Nature of the ").Append(q?.PersonalData == true ? "personal-data breach" : "incident").Append("\n\n")
                .Append(Or(q?.Nature, Or(incident.Description, incident.Title))).Append("\n\n");
            sb.Append("Type: ").Append(incident.Type.ToName()).Append("; severity: ").Append(incident.Severity.ToName()).Append(".\n\n");
            sb.Append("## Dates\n\n");
            sb.Append("- First activity observed: ").Append(T(incident.FirstActivityAt)).Append('\n');
            sb.Append("- Detected: ").Append(T(incident.DetectedAt ?? incident.CreatedAt)).Append('\n');
            sb.Append("- Became aware (qualified): ").Append(T(incident.QualifiedAt)).Append('\n');
            if (incident.ContainedAt is not null)
                sb.Append("- Contained: ").Append(T(incident.ContainedAt)).Append('\n');
            sb.Append("\n## People and records concerned\n\n");
            sb.Append("- Categories of people: ").Append(List(q?.CategoriesOfPeople, "to be specified")).Append('\n');
            sb.Append("- Approximate number of people: ").Append(Number(q?.PeopleAffected, "to be specified")).Append('\n');
            if (clock.Regulation is RegulatoryClocks.HipaaMedia or RegulatoryClocks.HipaaHhs && q?.PeopleByState is { Count: > 0 } states)
                sb.Append("- By state: ").Append(string.Join(", ", states.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key} {s.Value}"))).Append('\n');
            sb.Append("- Categories of data: ").Append(List(q?.CategoriesOfData, "to be specified")).Append('\n');
            sb.Append("- Approximate number of records: ").Append(Number(q?.RecordsAffected, "to be specified")).Append("\n\n");
            sb.Append("## Likely consequences\n\n").Append(Or(q?.Consequences, "To be assessed.")).Append("\n\n");
            sb.Append("## Measures taken or proposed\n\n");
            if (!string.IsNullOrWhiteSpace(q?.Measures))
                sb.Append(q!.Measures!.Trim()).Append("\n\n");
            foreach (var t in done)
                sb.Append("- Done (").Append(T(t.DoneAt)).Append("): ").Append(t.Title).Append('\n');
            foreach (var t in todo.Take(10))
                sb.Append("- Planned: ").Append(t.Title).Append('\n');
            if (clock.Regulation == RegulatoryClocks.GdprArticle33 && incident.QualifiedAt is { } aware && now - aware > TimeSpan.FromHours(72))
                sb.Append("\n## Reasons for the delay\n\nThis notification is made more than 72 hours after becoming aware: to be explained (GDPR article 33(1)).\n");
        }
        sb.Append(french ? "\n## Chronologie\n\n" : "\n## Timeline\n\n");
        foreach (var e in incident.Timeline.OrderBy(e => e.Time).ThenBy(e => e.Id).Take(40))
            sb.Append("- ").Append(T(e.Time)).Append(" — ").Append(e.Text.Replace('\n', ' ')).Append('\n');
        var kinds = incident.Observables.GroupBy(o => o.Kind).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}").ToList();
        if (kinds.Count > 0)
        {
            sb.Append(french ? "\n## Indicateurs\n\n" : "\n## Indicators\n\n");
            sb.Append(french ? "Observables relevés (le détail suit le marquage " : "Observables recorded (details follow the ").Append(tlp)
                .Append(french ? ") : " : " marking): ").Append(string.Join(", ", kinds)).Append(".\n");
        }
        return sb.ToString();
    }
}

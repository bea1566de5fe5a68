using System.CommandLine;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Vigie.Core;
using Vigie.Core.Data;
using Vigie.Core.Establishments;
using Vigie.Core.Incidents;
using Vigie.Core.SecurityEvents;
using Vigie.Server.Api;

namespace Vigie.Server.Cli;

/// <summary><c>vigie incidents list|show|create|qualify|draft</c>: incidents from a terminal, with the rights of the national centre.</summary>
internal static class IncidentCommands
{
    public static Command Create()
    {
        var command = new Command("incidents", "List, show, open and qualify incidents; draft their notifications.");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Show());
        command.Subcommands.Add(Open());
        command.Subcommands.Add(Qualify());
        command.Subcommands.Add(Draft());
        return command;
    }

    private static Argument<long> IdArgument() => new("id") { Description = "The incident's id." };

    private static Command List()
    {
        var status = new Option<string?>("--status") { Description = "open, contained or closed (comma-separated for several).", HelpName = "STATUS" };
        var severity = new Option<string?>("--severity") { Description = "informational, low, medium, high or critical.", HelpName = "SEVERITY" };
        var type = new Option<string?>("--type") { Description = string.Join(", ", IncidentTypes.All) + ".", HelpName = "TYPE" };
        var establishment = new Option<string?>("--establishment") { Description = "An establishment code: its incidents and those of its subtree.", HelpName = "CODE" };
        var output = OutputFormat.Create();
        var command = new Command("list", "List incidents, newest first.") { status, severity, type, establishment, output };
        var store = StoreOptions.AddTo(command);
        store.SetAction(command, async (parse, sp, ct) =>
        {
            var page = await sp.GetRequiredService<IncidentQueue>().ListAsync(new IncidentQueue.Query(parse.GetValue(status), parse.GetValue(severity),
                parse.GetValue(type), parse.GetValue(establishment)), IncidentVisibility.Everything, ct);
            var db = sp.GetRequiredService<VigieDbContext>();
            var ids = page.Items.Select(i => (long?)i.Id).ToList();
            var counts = await db.Alerts.AsNoTracking().Where(a => ids.Contains(a.IncidentId)).GroupBy(a => a.IncidentId).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
            var (all, users, _) = await AlertCommands.ContextAsync(sp, page.Items.Select(i => i.AssigneeId), ct);
            var views = page.Items.Select(i => IncidentView.From(i, counts.FirstOrDefault(c => c.Key == i.Id)?.Count ?? 0, all, users)).ToList();
            OutputFormat.Write(parse, output, new { items = views, next_cursor = page.NextCursor },
                ["id", "severity", "status", "type", "establishment", "alerts", "created", "title"],
                views.Select(v => (IReadOnlyList<string?>)[v.Id.ToString(CultureInfo.InvariantCulture), v.Severity, v.Status, v.Type, v.Establishment,
                    v.AlertCount.ToString(CultureInfo.InvariantCulture), v.CreatedAt, v.Title]));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task<IncidentDetailView> DetailAsync(IServiceProvider sp, long id, CancellationToken ct)
    {
        var incident = await sp.GetRequiredService<IncidentDesk>().FindAsync(id, IncidentVisibility.Everything, details: true, ct);
        var evidence = await sp.GetRequiredService<EvidenceLocker>().ListAsync(id, IncidentVisibility.Everything, ct);
        var (all, users, _) = await AlertCommands.ContextAsync(sp, [incident.AssigneeId], ct);
        return IncidentDetailView.From(incident, sp.GetRequiredService<IncidentQualifier>().Clocks(incident), evidence, all, users);
    }

    private static Command Show()
    {
        var id = IdArgument();
        var output = OutputFormat.Create();
        var command = new Command("show", "Show an incident: clocks, tasks, observables, timeline.") { id, output };
        var store = StoreOptions.AddTo(command);
        store.SetAction(command, async (parse, sp, ct) =>
        {
            var view = await DetailAsync(sp, parse.GetValue(id), ct);
            if (OutputFormat.IsJson(parse, output))
            {
                OutputFormat.WriteJson(view);
                return ExitCodes.Ok;
            }
            var o = Console.Out;
            o.WriteLine($"Incident {view.Id}: {view.Title}");
            o.WriteLine($"  {view.Type}, severity {view.Severity}, {view.Status}, {view.Tlp} {view.Pap}, establishment {view.Establishment}, assignee {view.Assignee ?? "-"}");
            o.WriteLine($"  opened {view.CreatedAt} by {view.CreatedBy}; qualified {view.QualifiedAt ?? "not yet"}");
            o.WriteLine();
            if (view.Clocks.Count > 0)
            {
                TextTable.Write(o, ["clock", "deadline", "status", "time left", "recipient"],
                    view.Clocks.Select(c => (IReadOnlyList<string?>)[c.Regulation, c.Deadline, c.Status, c.TimeLeft, c.Recipient]));
                o.WriteLine();
            }
            TextTable.Write(o, ["task", "phase", "status", "title"],
                view.Tasks.Select(t => (IReadOnlyList<string?>)[t.Id.ToString(CultureInfo.InvariantCulture), t.Phase, t.Status, t.Title]));
            if (view.Observables.Count > 0)
            {
                o.WriteLine();
                TextTable.Write(o, ["kind", "value", "sightings", "source"],
                    view.Observables.Select(x => (IReadOnlyList<string?>)[x.Kind, x.Value, x.Sightings.ToString(CultureInfo.InvariantCulture), x.Source]));
            }
            o.WriteLine();
            foreach (var e in view.Timeline)
                o.WriteLine($"  {e.Time}  {e.Text}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Open()
    {
        var title = new Option<string>("--title") { Required = true, Description = "What happened, in a line.", HelpName = "TEXT" };
        var alerts = new Option<long[]>("--alert") { Description = "An alert to bring in (repeat for several).", HelpName = "ID", AllowMultipleArgumentsPerToken = true };
        var severity = new Option<string?>("--severity") { Description = "Default: the highest of the alerts'.", HelpName = "SEVERITY" };
        var type = new Option<string?>("--type") { Description = string.Join(", ", IncidentTypes.All) + "; default: from the alerts.", HelpName = "TYPE" };
        var establishment = new Option<string?>("--establishment") { Description = "Default: the alerts' establishment (or their common parent).", HelpName = "CODE" };
        var command = new Command("create", "Open an incident from alerts; its tasks come from the playbook of its type.") { title, alerts, severity, type, establishment };
        var store = StoreOptions.AddTo(command);
        store.SetAction(command, async (parse, sp, ct) =>
        {
            var incident = await sp.GetRequiredService<IncidentDesk>().CreateAsync(new IncidentDesk.NewIncident(parse.GetValue(title), parse.GetValue(alerts) ?? [],
                parse.GetValue(severity), parse.GetValue(type), Establishment: parse.GetValue(establishment)), Actor.CommandLine(), IncidentVisibility.Everything, ct);
            Console.WriteLine($"Incident {incident.Id} opened ({incident.Type.ToName()}, {incident.Tasks.Count} tasks{(incident.Playbook is null ? "" : " from playbook " + incident.Playbook)}).");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Qualify()
    {
        var id = IdArgument();
        var personal = new Option<bool>("--personal-data") { Description = "Personal data is involved." };
        var eu = new Option<bool>("--eu-residents") { Description = "EU residents' data is involved (GDPR)." };
        var highRisk = new Option<bool>("--high-risk") { Description = "High risk to the people (GDPR article 34)." };
        var nis2 = new Option<bool?>("--nis2") { Description = "A significant incident of a NIS2 entity (default: the nis2 setting)." };
        var hipaa = new Option<bool>("--hipaa") { Description = "Protected health information under HIPAA." };
        var people = new Option<int?>("--people-affected") { Description = "Approximate number of people.", HelpName = "N" };
        var records = new Option<int?>("--records-affected") { Description = "Approximate number of records.", HelpName = "N" };
        var byState = new Option<string[]>("--people-in-state") { Description = "HIPAA: people per US state, as CA=600 (repeat).", HelpName = "ST=N" };
        var nature = new Option<string?>("--nature") { Description = "What happened, for the notifications.", HelpName = "TEXT" };
        var peopleCategories = new Option<string[]>("--people-category") { Description = "A category of people (repeat): patients, staff, …", HelpName = "TEXT" };
        var dataCategories = new Option<string[]>("--data-category") { Description = "A category of data (repeat): diagnoses, identity, …", HelpName = "TEXT" };
        var consequences = new Option<string?>("--consequences") { Description = "Likely consequences for the people.", HelpName = "TEXT" };
        var measures = new Option<string?>("--measures") { Description = "Measures taken or proposed.", HelpName = "TEXT" };
        var contact = new Option<string?>("--contact") { Description = "Contact point (the DPO).", HelpName = "TEXT" };
        var command = new Command("qualify", "Qualify an incident: the first qualification starts its regulatory clocks.")
            { id, personal, eu, highRisk, nis2, hipaa, people, records, byState, nature, peopleCategories, dataCategories, consequences, measures, contact };
        var store = StoreOptions.AddTo(command);
        store.SetAction(command, async (parse, sp, ct) =>
        {
            var states = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var pair in parse.GetValue(byState) ?? [])
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0 || !int.TryParse(pair[(eq + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                    throw new CliException($"--people-in-state '{pair}' must read STATE=NUMBER, e.g. CA=600", ExitCodes.Usage);
                states[pair[..eq].Trim().ToUpperInvariant()] = n;
            }
            var incident = await sp.GetRequiredService<IncidentQualifier>().QualifyAsync(parse.GetValue(id), new Qualification
            {
                PersonalData = parse.GetValue(personal),
                EuResidents = parse.GetValue(eu),
                HighRisk = parse.GetValue(highRisk),
                Nis2 = parse.GetValue(nis2),
                Hipaa = parse.GetValue(hipaa),
                PeopleAffected = parse.GetValue(people),
                RecordsAffected = parse.GetValue(records),
                PeopleByState = states,
                Nature = parse.GetValue(nature),
                CategoriesOfPeople = parse.GetValue(peopleCategories) ?? [],
                CategoriesOfData = parse.GetValue(dataCategories) ?? [],
                Consequences = parse.GetValue(consequences),
                Measures = parse.GetValue(measures),
                Contact = parse.GetValue(contact),
            }, Actor.CommandLine(), IncidentVisibility.Everything, ct);
            var view = await DetailAsync(sp, incident.Id, ct);
            Console.WriteLine($"Incident {incident.Id} qualified at {view.QualifiedAt}.");
            TextTable.Write(Console.Out, ["clock", "deadline", "status", "time left", "recipient"],
                view.Clocks.Select(c => (IReadOnlyList<string?>)[c.Regulation, c.Deadline, c.Status, c.TimeLeft, c.Recipient]));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Draft()
    {
        var id = IdArgument();
        var regulation = new Option<string>("--regulation") { Required = true, Description = "The clock: " + string.Join(", ", RegulatoryClocks.All) + ".", HelpName = "CLOCK" };
        var format = new Option<string>("--format") { Description = "markdown (default) or pdf.", DefaultValueFactory = _ => "markdown", HelpName = "FORMAT" };
        format.AcceptOnlyFromAmong("markdown", "pdf");
        var output = new Option<string?>("--out") { Description = "Write to this file (required for pdf); standard output otherwise.", HelpName = "FILE" };
        var command = new Command("draft", "Draft the notification of one of an incident's clocks, from the case.") { id, regulation, format, output };
        var store = StoreOptions.AddTo(command);
        store.SetAction(command, async (parse, sp, ct) =>
        {
            var pdf = parse.GetValue(format) == "pdf";
            var file = parse.GetValue(output);
            if (pdf && file is null)
                throw new CliException("--format pdf needs --out FILE", ExitCodes.Usage);
            var incident = await sp.GetRequiredService<IncidentDesk>().FindAsync(parse.GetValue(id), IncidentVisibility.Everything, details: true, ct);
            var all = (await sp.GetRequiredService<EstablishmentRegistry>().ListAsync(AccessScope.Everything, ct)).ToDictionary(e => e.Id);
            var (markdown, title) = IncidentEndpoints.Draft(incident, parse.GetValue(regulation)!, sp.GetRequiredService<IncidentQualifier>(), all, sp.GetRequiredService<TimeProvider>());
            if (pdf)
            {
                await File.WriteAllBytesAsync(file!, IncidentNotificationPdf.Render(markdown, title), ct);
                Console.WriteLine($"Draft written to {file}.");
            }
            else if (file is not null)
            {
                await File.WriteAllTextAsync(file, markdown, ct);
                Console.WriteLine($"Draft written to {file}.");
            }
            else
            {
                Console.Write(markdown);
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}

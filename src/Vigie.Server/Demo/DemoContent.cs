using Microsoft.EntityFrameworkCore;
using Vigie.Core.Data;
using Vigie.Core.Establishments;
using Vigie.Core.Identity;
using Vigie.Core.SecurityEvents;

namespace Vigie.Server.Demo;

/// <summary>
/// The demo's health system: a national centre, two regions, five establishments, one user of every role and
/// four clinicians, all sharing one published password; then the demo content of each capability and the cast
/// of the traffic generator (<see cref="DemoTraffic"/>). Loaded only by <c>vigie demo</c>; loading twice changes nothing.
/// </summary>
internal static class DemoContent
{
    public const string Password = "vigie-demo-2026";

    public static readonly (string Code, string Name, string Type, string? Parent)[] Establishments =
    [
        ("MA-NAT", "Centre national de cybersécurité santé", "national", null),
        ("REG-RSK", "Région Rabat-Salé-Kénitra", "region", "MA-NAT"),
        ("REG-CS", "Région Casablanca-Settat", "region", "MA-NAT"),
        ("CHU-RABAT", "CHU Ibn Sina de Rabat", "chu", "REG-RSK"),
        ("HR-KENITRA", "Hôpital régional de Kénitra", "hospital", "REG-RSK"),
        ("CS-HAY-HASSANI", "Centre de santé Hay Hassani", "health-centre", "REG-CS"),
        ("CLIN-ANFA", "Clinique Anfa", "clinic", "REG-CS"),
        ("LAB-CASA", "Laboratoire d'analyses de Casablanca", "laboratory", "REG-CS"),
    ];

    public static readonly (string Username, string Role, string Establishment, string? Profession, string DisplayName)[] Users =
    [
        ("admin", Roles.Admin, "MA-NAT", null, "Administratrice nationale"),
        ("analyst", Roles.SocAnalyst, "MA-NAT", null, "Analyste SOC"),
        ("rssi.chu", Roles.SecurityOfficer, "CHU-RABAT", null, "RSSI du CHU de Rabat"),
        ("rssi.cs", Roles.SecurityOfficer, "REG-CS", null, "RSSI de la région Casablanca-Settat"),
        ("dpo", Roles.Dpo, "MA-NAT", null, "Délégué à la protection des données"),
        ("dr.alaoui", Roles.Clinician, "CHU-RABAT", "physician", "Dr Amina Alaoui"),
        ("dr.tazi", Roles.Clinician, "CHU-RABAT", "physician", "Dr Youssef Tazi"),
        ("inf.benali", Roles.Clinician, "CHU-RABAT", "nurse", "Salma Benali, infirmière"),
        ("dr.kettani", Roles.Clinician, "HR-KENITRA", "physician", "Dr Omar Kettani"),
        ("patient", Roles.Patient, "CHU-RABAT", null, "Patient de démonstration"),
        ("partner.cert", Roles.Partner, "MA-NAT", null, "maCERT (partenaire)"),
    ];

    public static async Task LoadAsync(IServiceProvider services, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        var db = sp.GetRequiredService<VigieDbContext>();
        var actor = new Actor("demo");
        var registry = sp.GetRequiredService<EstablishmentRegistry>();
        foreach (var (code, name, type, parent) in Establishments)
        {
            if (!await db.Establishments.AnyAsync(e => e.Code == code, ct))
                await registry.AddAsync(new EstablishmentRegistry.NewEstablishment(code, name, type, parent), actor, ct);
        }
        var admin = sp.GetRequiredService<UserAdministration>();
        foreach (var (username, role, establishment, profession, displayName) in Users)
        {
            if (await db.Users.AnyAsync(u => u.Username == username, ct))
                continue;
            await admin.AddAsync(new UserAdministration.NewUser(username, Password, [role], establishment, profession, displayName,
                ExpiresAt: role == Roles.Partner ? DateTime.UtcNow.AddDays(90) : null), actor, AccessScope.Everything, ct);
        }
        // Response first: it loads only into a store without privacy accesses, and the records demo's first read
        // becomes one as soon as the alert pump of a running host indexes it.
        await Vigie.Core.Incidents.ResponseDemo.LoadAsync(services, ct);
        await Fhir.RecordsDemo.LoadAsync(services, Console.Out, ct);
        await Ingestion.CollectionDemo.LoadAsync(services, ct);
        await DemoCast.LoadAsync(services, Console.Out, ct);
    }

    public static void PrintWelcome(TextWriter output, string url)
    {
        var browse = url.Replace("://0.0.0.0", "://localhost", StringComparison.Ordinal).Replace("://127.0.0.1", "://localhost", StringComparison.Ordinal);
        output.WriteLine();
        output.WriteLine("Demo mode: these accounts exist, all with the password " + Password);
        foreach (var (username, role, establishment, _, _) in Users)
            output.WriteLine($"  {username,-14} {role,-17} {establishment}");
        output.WriteLine();
        output.WriteLine($"Console:  {browse}/");
        output.WriteLine($"API:      curl -s -X POST {browse}/api/v1/auth/token -H 'Content-Type: application/json' -d '{{\"username\":\"admin\",\"password\":\"{Password}\"}}'");
        output.WriteLine($"Health:   curl {browse}/readyz");
        Fhir.RecordsDemo.PrintWelcome(output, browse);
        output.WriteLine("Press Ctrl+C to stop.");
    }
}

using System.CommandLine;
using Vigie.Core;
using Vigie.Core.Audit;
using Vigie.Core.Establishments;
using Vigie.Core.Patients;
using Vigie.Core.Records;
using Vigie.Core.SecurityEvents;

namespace Vigie.Server.Cli;

/// <summary><c>vigie records</c>: import FHIR data, find and merge duplicate patients.</summary>
internal static class RecordsCommands
{
    public static Option<string?> KekFile() => new("--kek-file") { Description = "File holding the key-encryption key (base64 of 32 bytes); or VIGIE_KEK. SQLite stores create <data>/keys/records.kek when absent.", HelpName = "FILE" };

    public static Command Create()
    {
        var command = new Command("records", "Patient records: import FHIR bundles and bulk NDJSON, find duplicates, merge identities.");
        command.Subcommands.Add(Import());
        command.Subcommands.Add(Duplicates());
        command.Subcommands.Add(Merge());
        command.Subcommands.Add(VerifyIdentity());
        return command;
    }

    private static Command VerifyIdentity()
    {
        var patient = new Option<string>("--patient") { Required = true, Description = "The Patient id.", HelpName = "ID" };
        var card = new Option<string>("--card") { Required = true, Description = "The national identity card number.", HelpName = "NUMBER" };
        var document = new Option<bool>("--document-checked") { Description = "An agent checked the identity document (card or passport) in person." };
        var registry = new Option<string?>("--identity-registry") { Description = "The national identity registry: an http(s) URL, or a local JSON registry file.", HelpName = "URL|FILE" };
        var command = new Command("verify-identity", "Raise a patient's identity trust: registry match (retrieved), document checked (validated), both (qualified).") { patient, card, document, registry };
        var store = StoreOptions.AddTo(command);
        var kek = KekFile();
        command.Options.Add(kek);
        command.SetAction((parse, ct) => StoreSession.RunAsync(store.Configuration(parse, kek, registry), async sp =>
        {
            try
            {
                var outcome = await sp.GetRequiredService<IdentityVerification>().VerifyAsync(parse.GetValue(patient)!, parse.GetValue(card)!,
                    parse.GetValue(document), Actor.CommandLine().Name, ct);
                Console.WriteLine($"Identity {NationalHealthId.Format(outcome.NationalId)}: {outcome.Before.ToCode()} → {outcome.After.ToCode()}.");
                return ExitCodes.Ok;
            }
            finally
            {
                await sp.GetRequiredService<LedgerWriter>().CheckpointNowAsync();
            }
        }, ct));
        return command;
    }

    /// <summary>Runs a verb with the store options plus --kek-file, and signs the ledger's head before exiting.</summary>
    public static void SetAction(Command command, Func<ParseResult, IServiceProvider, CancellationToken, Task<int>> work)
    {
        var store = StoreOptions.AddTo(command);
        var kek = KekFile();
        command.Options.Add(kek);
        command.SetAction((parse, ct) => StoreSession.RunAsync(store.Configuration(parse, kek), async sp =>
        {
            try
            {
                return await work(parse, sp, ct);
            }
            finally
            {
                await sp.GetRequiredService<LedgerWriter>().CheckpointNowAsync();
            }
        }, ct));
    }

    private static Command Import()
    {
        var paths = new Argument<string[]>("path") { Description = "Bundle (.json) or NDJSON (.ndjson) files, or folders of them.", Arity = ArgumentArity.OneOrMore };
        var establishment = new Option<string?>("--establishment") { Description = "Code of the establishment the records belong to (default: the national centre).", HelpName = "CODE" };
        var command = new Command("import", "Import FHIR transaction bundles and bulk-export NDJSON; each file (and the NDJSON set) all or nothing.") { paths, establishment };
        SetAction(command, async (parse, sp, ct) =>
        {
            var registry = sp.GetRequiredService<EstablishmentRegistry>();
            Guid? establishmentId = null;
            if (parse.GetValue(establishment) is { } code)
            {
                establishmentId = (await registry.FindAsync(code, ct) ?? throw new CliException($"establishment '{EstablishmentCode.Normalise(code)}' does not exist")).Id;
            }
            else
            {
                establishmentId = (await registry.ListAsync(AccessScope.Everything, ct)).FirstOrDefault(e => e.Type == EstablishmentType.National)?.Id;
            }
            var files = RecordImporter.Expand(parse.GetValue(paths) ?? []);
            if (files.Count == 0)
                throw new CliException("no .json or .ndjson file to import");
            var reports = await sp.GetRequiredService<RecordImporter>().ImportAsync(files, establishmentId, Actor.CommandLine().Name, ct);
            foreach (var r in reports)
                Console.WriteLine($"{r.File}: {r.Resources} resources ({string.Join(", ", r.ByType.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => $"{k.Value} {k.Key}"))})");
            Console.WriteLine($"Imported {reports.Sum(r => r.Resources)} resources from {reports.Count} file(s).");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Duplicates()
    {
        var patient = new Option<string?>("--patient") { Description = "Only the candidates of this Patient id (default: every pair).", HelpName = "ID" };
        var output = OutputFormat.Create();
        var command = new Command("duplicates", "Find probable and possible duplicate patients (probabilistic matching with blocking).") { patient, output };
        SetAction(command, async (parse, sp, ct) =>
        {
            var finder = sp.GetRequiredService<DuplicateFinder>();
            var pairs = parse.GetValue(patient) is { } id
                ? (await finder.FindAsync(id, ct: ct)).Select(c => (A: id, B: c)).ToList()
                : await finder.FindAllAsync(ct);
            OutputFormat.Write(parse, output, pairs.Select(p => new { patient = p.A, candidate = p.B.PatientId, national_id = p.B.NationalId, score = p.B.Score, level = p.B.Level, reasons = p.B.Reasons }),
                ["patient", "candidate", "score", "level", "reasons"],
                pairs.Select(p => (IReadOnlyList<string?>)[p.A, p.B.PatientId, p.B.Score.ToString(System.Globalization.CultureInfo.InvariantCulture), p.B.Level, string.Join(", ", p.B.Reasons)]));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Merge()
    {
        var source = new Option<string>("--source") { Required = true, Description = "The Patient id that disappears (becomes inactive, replaced-by).", HelpName = "ID" };
        var target = new Option<string>("--target") { Required = true, Description = "The Patient id that remains.", HelpName = "ID" };
        var linkOnly = new Option<bool>("--link-only") { Description = "Only link the two identities (seealso), without moving anything." };
        var command = new Command("merge", "Merge a duplicate patient into another, keeping history; the merge is audited.") { source, target, linkOnly };
        SetAction(command, async (parse, sp, ct) =>
        {
            var merge = sp.GetRequiredService<PatientMerge>();
            if (parse.GetValue(linkOnly))
            {
                await merge.LinkAsync(parse.GetValue(source)!, parse.GetValue(target)!, Actor.CommandLine().Name, ct);
                Console.WriteLine($"Linked Patient/{parse.GetValue(source)} and Patient/{parse.GetValue(target)}.");
                return ExitCodes.Ok;
            }
            var outcome = await merge.MergeAsync(parse.GetValue(source)!, parse.GetValue(target)!, Actor.CommandLine().Name, ct);
            Console.WriteLine($"Merged {NationalHealthId.Format(outcome.SourceNationalId)} into {NationalHealthId.Format(outcome.TargetNationalId)}: {outcome.Moved} resources moved.");
            return ExitCodes.Ok;
        });
        return command;
    }
}

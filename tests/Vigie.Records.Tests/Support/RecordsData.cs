using System.Diagnostics;
using System.Text.Json;
using Vigie.Server.Tests.Support;

namespace Vigie.Records.Tests.Support;

/// <summary>The external material these tests read where it is: Synthea data and the official FHIR R4 JSON schema.</summary>
public static class RecordsData
{
    public static string Synthea => Path.Combine(TestEnvironment.SharedData, "synthea");
    public static string Bundles => Path.Combine(Synthea, "bundles");
    public static string Bulk => Path.Combine(Synthea, "bulk-10-patients");
    public static string Schema => Path.Combine(TestEnvironment.SharedData, "fhir", "fhir.schema.json");

    public static void SkipWithoutSynthea() =>
        Skip.If(!Directory.Exists(Bundles) || !Directory.Exists(Bulk), $"Synthea data is missing ({Synthea}); it is in ../shared/data on CI");

    /// <summary>The patient bundles (one patient each), without the hospital and practitioner bundles.</summary>
    public static IReadOnlyList<string> PatientBundles =>
        Directory.GetFiles(Bundles, "*.json").Where(f => !Path.GetFileName(f).StartsWith("hospital", StringComparison.Ordinal) &&
                                                         !Path.GetFileName(f).StartsWith("practitioner", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();

    /// <summary>Family and given names of every Synthea patient (bundles and bulk), as written in the files.</summary>
    public static IReadOnlyList<string> PatientNames()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        void Add(JsonElement patient)
        {
            foreach (var name in patient.GetProperty("name").EnumerateArray())
            {
                if (name.TryGetProperty("family", out var f))
                    names.Add(f.GetString()!);
                if (name.TryGetProperty("given", out var g))
                {
                    foreach (var given in g.EnumerateArray())
                        names.Add(given.GetString()!);
                }
            }
        }
        foreach (var file in PatientBundles)
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
            foreach (var entry in doc.RootElement.GetProperty("entry").EnumerateArray())
            {
                if (entry.GetProperty("resource").GetProperty("resourceType").GetString() == "Patient")
                    Add(entry.GetProperty("resource"));
            }
        }
        foreach (var line in File.ReadLines(Path.Combine(Bulk, "Patient.000.ndjson")))
        {
            using var doc = JsonDocument.Parse(line);
            Add(doc.RootElement);
        }
        return names.Where(n => n.Length >= 5).Order(StringComparer.Ordinal).ToList();
    }
}

/// <summary>Validates JSON documents against the official FHIR R4 JSON schema with Debian's python3-jsonschema.</summary>
public static class OfficialSchema
{
    private const string Python = "/usr/bin/python3";

    private const string Script = """
        import json, sys
        import jsonschema
        schema = json.load(open(sys.argv[1]))
        definitions = schema["definitions"]
        for path in sys.argv[2:]:
            doc = json.load(open(path))
            kind = doc.get("resourceType")
            if kind not in definitions:
                print(path + "\tunknown resourceType " + str(kind))
                continue
            validator = jsonschema.Draft6Validator({"$ref": "#/definitions/" + kind, "definitions": definitions})
            errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
            if errors:
                e = errors[0]
                print(path + "\t" + "/".join(str(p) for p in e.path) + ": " + e.message[:300])
            else:
                print(path + "\tOK")
        """;

    public static void SkipWhenUnavailable()
    {
        Skip.If(!File.Exists(RecordsData.Schema), $"the FHIR R4 JSON schema is missing ({RecordsData.Schema})");
        Skip.If(!File.Exists(Python), "/usr/bin/python3 is missing (apt-get install python3-jsonschema)");
        var check = Process.Start(new ProcessStartInfo(Python, ["-c", "import jsonschema"]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        check.WaitForExit();
        Skip.If(check.ExitCode != 0, "python3-jsonschema is not installed (apt-get install python3-jsonschema; ./test.sh installs it)");
    }

    /// <summary>Validates each named document; returns the problems (name: where: what), empty when all are valid.</summary>
    public static async Task<IReadOnlyList<string>> ValidateAsync(IReadOnlyDictionary<string, byte[]> documents)
    {
        var folder = TestEnvironment.NewTempDirectory("vigie-schema");
        var names = new Dictionary<string, string>();
        var i = 0;
        foreach (var (name, json) in documents)
        {
            var file = Path.Combine(folder, $"{i++}.json");
            await File.WriteAllBytesAsync(file, json);
            names[file] = name;
        }
        var info = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(Script);
        info.ArgumentList.Add(RecordsData.Schema);
        foreach (var file in names.Keys)
            info.ArgumentList.Add(file);
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        process.ExitCode.ShouldBe(0, error);
        var problems = new List<string>();
        var seen = 0;
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split('\t', 2);
            seen++;
            if (parts[1] != "OK")
                problems.Add($"{names[parts[0]]}: {parts[1]}");
        }
        seen.ShouldBe(documents.Count, "the schema check did not report on every document");
        Directory.Delete(folder, true);
        return problems;
    }
}

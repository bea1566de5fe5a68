namespace Vigie.Server.Demo;

/// <summary>Where the shared test data is, for the demo: <c>demo_data</c> when set, else <c>../shared/data</c> beside the working directory or the repository.</summary>
internal static class DemoData
{
    public static string? Find(IConfiguration configuration)
    {
        var candidates = new List<string>();
        if (configuration["demo_data"] is { Length: > 0 } configured)
            candidates.Add(configured);
        candidates.Add(Path.Combine(Directory.GetCurrentDirectory(), "..", "shared", "data"));
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Vigie.slnx")))
            {
                candidates.Add(Path.Combine(dir.FullName, "..", "shared", "data"));
                break;
            }
        }
        return candidates.Select(Path.GetFullPath).FirstOrDefault(Directory.Exists);
    }
}

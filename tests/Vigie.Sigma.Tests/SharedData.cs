namespace Vigie.Sigma.Tests;

/// <summary>Locates <c>../shared/data</c> beside the repository (the folder holding Vigie.slnx).</summary>
internal static class SharedData
{
    public static string? Root { get; } = Find();

    private static string? Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Vigie.slnx")))
            {
                var data = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data"));
                return Directory.Exists(data) ? data : null;
            }
        }
        return null;
    }

    /// <summary>A folder under the shared data, or null when it is missing.</summary>
    public static string? Folder(string relative)
    {
        if (Root is null)
            return null;
        var path = Path.Combine(Root, relative);
        return Directory.Exists(path) ? path : null;
    }

    public static string Missing(string relative) => $"shared test data ../shared/data/{relative} is missing";
}

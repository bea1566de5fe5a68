using Vigie.Server.Tests.Support;

namespace Vigie.Server.Tests.Ingestion;

/// <summary>Where the shared external material is; tests that need a part of it skip naming what is missing.</summary>
internal static class CollectionData
{
    public static string Path(params string[] parts) => System.IO.Path.Combine([TestEnvironment.SharedData, .. parts]);

    public static string Require(params string[] parts)
    {
        var path = Path(parts);
        Skip.If(!File.Exists(path) && !Directory.Exists(path), $"shared test data missing: {path} (../shared/data is not beside the repository)");
        return path;
    }
}

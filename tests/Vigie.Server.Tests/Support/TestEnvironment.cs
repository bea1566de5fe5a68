namespace Vigie.Server.Tests.Support;

/// <summary>Where the repository, the shared data and the test servers are.</summary>
public static class TestEnvironment
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string SharedData => Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "data"));

    /// <summary>A URL of a PostgreSQL server where tests may create databases, set by test.sh; null when none.</summary>
    public static string? Postgres => Environment.GetEnvironmentVariable("VIGIE_TEST_POSTGRES") is { Length: > 0 } v ? v : null;

    /// <summary>The test directory's URL, set by test.sh after it starts slapd; null when none.</summary>
    public static string? Ldap => Environment.GetEnvironmentVariable("VIGIE_TEST_LDAP") is { Length: > 0 } v ? v : null;

    /// <summary>The built <c>vigie.dll</c>, copied beside the tests.</summary>
    public static string VigieDll => Path.Combine(AppContext.BaseDirectory, "vigie.dll");

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Vigie.slnx")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Vigie.slnx not found above " + AppContext.BaseDirectory);
    }

    public static string NewTempDirectory(string prefix = "vigie-test")
    {
        var path = Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }
}

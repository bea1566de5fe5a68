using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Vigie.Server.Tests.Support;

/// <summary>The real <c>vigie</c> executable, run as a user would run it.</summary>
public sealed class VigieProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private VigieProcess(Process process)
    {
        _process = process;
    }

    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
    }

    public string Stdout { get { lock (_stdout) return _stdout.ToString(); } }
    public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }
    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;

    private static ProcessStartInfo StartInfo(IEnumerable<string> args, IDictionary<string, string>? env, string? workingDirectory)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        info.ArgumentList.Add(TestEnvironment.VigieDll);
        foreach (var a in args)
            info.ArgumentList.Add(a);
        // The child must not inherit test settings that change its behaviour.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("VIGIE_", StringComparison.Ordinal)).ToList())
            info.Environment.Remove(key);
        info.Environment["VIGIE_PASSWORD_HASH_ITERATIONS"] = "1000";
        foreach (var (k, v) in env ?? new Dictionary<string, string>())
            info.Environment[k] = v;
        return info;
    }

    /// <summary>Runs a verb to completion.</summary>
    public static async Task<Result> RunAsync(IEnumerable<string> args, IDictionary<string, string>? env = null, string? stdin = null, string? workingDirectory = null, int timeoutSeconds = 120)
    {
        using var process = Process.Start(StartInfo(args, env, workingDirectory))!;
        if (stdin is not null)
            await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"vigie {string.Join(' ', args)} did not finish in {timeoutSeconds} s");
        }
        return new Result(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts a long-running verb (serve, demo) in the background.</summary>
    public static VigieProcess Start(IEnumerable<string> args, IDictionary<string, string>? env = null, string? workingDirectory = null)
    {
        var process = Process.Start(StartInfo(args, env, workingDirectory))!;
        var p = new VigieProcess(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (p._stdout) p._stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (p._stderr) p._stderr.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return p;
    }

    /// <summary>Waits until <paramref name="url"/> answers 200, or the process exits, or the time is up.</summary>
    public async Task<bool> WaitReadyAsync(string url, int timeoutSeconds = 60)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (DateTime.UtcNow < deadline && !_process.HasExited)
        {
            try
            {
                if ((await client.GetAsync(url)).StatusCode == HttpStatusCode.OK)
                    return true;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(100);
        }
        return false;
    }

    public async Task<int> WaitForExitAsync(int timeoutSeconds = 30)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public void Kill() => _process.Kill(entireProcessTree: true);

    /// <summary>
    /// Asks for a graceful stop with SIGTERM, as service managers do. (SIGINT would be ignored when the test run
    /// itself was started as a background job, which passes its ignored SIGINT on to every child.)
    /// </summary>
    public void Interrupt() => Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}

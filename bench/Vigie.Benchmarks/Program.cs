using BenchmarkDotNet.Running;
using Vigie.Benchmarks;

// Run with: dotnet run -c Release --project bench/Vigie.Benchmarks -- --filter '*'
// or, for EVTX records through the Sigma engine timed in CPU seconds: -- sigma-evtx FILE [SECONDS]
if (args.Length > 0 && args[0] == "sigma-evtx")
    return SigmaEvtxScan.Run(args[1..]);
// or, for the CPU a syslog message costs per stage of collection: -- syslog-stages FILE [SECONDS]
if (args.Length > 0 && args[0] == "syslog-stages")
    return SyslogStages.Run(args[1..]);
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;

using System.Text;
using Vigie.Sigma.Evaluation;
using Vigie.Sigma.Events;

namespace Vigie.Sigma;

/// <summary>
/// Evaluates events against a compiled <see cref="SigmaEngine"/>. Holds per-event caches, so one
/// evaluator serves one thread; create one per thread with <see cref="SigmaEngine.CreateEvaluator"/>.
/// </summary>
public sealed class SigmaEvaluator
{
    private readonly SigmaEngine _engine;
    private readonly EvaluationContext _context;
    private readonly string?[] _signature;
    private readonly StringBuilder _key = new();
    private readonly List<CompiledRule> _matched = [];
    private int[] _candidateStamps = [];
    private int _stamp;

    internal SigmaEvaluator(SigmaEngine engine)
    {
        _engine = engine;
        _context = new EvaluationContext(engine.FieldNames);
        _signature = new string?[engine.DiscriminatorCount];
    }

    /// <summary>
    /// Evaluates one event and adds the rules it matches to <paramref name="matches"/>, in rule order;
    /// returns how many were added.
    /// </summary>
    public int Evaluate(ISigmaEvent e, List<SigmaRule> matches)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(matches);
        _context.Reset(e);
        var bucket = _engine.BucketFor(_context, _signature, _key);
        _matched.Clear();
        foreach (var rule in bucket.Always)
        {
            if (rule.Root.Evaluate(_context))
                _matched.Add(rule);
        }
        if (bucket.Gated.Length > 0)
        {
            if (_candidateStamps.Length < bucket.Gated.Length)
                _candidateStamps = new int[Math.Max(bucket.Gated.Length, _candidateStamps.Length * 2)];
            if (++_stamp == int.MaxValue)
            {
                Array.Clear(_candidateStamps);
                _stamp = 1;
            }
            var sink = new CandidateSink(bucket.LiteralRules, _candidateStamps, _stamp);
            var index = bucket.Literals!;
            foreach (var field in bucket.ScanFields)
            {
                if (_context.TryGet(field, out var value))
                    Scan(index, value, ref sink);
            }
            if (bucket.ScanAll)
            {
                foreach (var value in _context.AllValues())
                    Scan(index, value, ref sink);
            }
            var gated = bucket.Gated;
            for (var i = 0; i < gated.Length; i++)
            {
                if (_candidateStamps[i] == _stamp && gated[i].Root.Evaluate(_context))
                    _matched.Add(gated[i]);
            }
        }
        if (_matched.Count > 1)
            _matched.Sort(static (a, b) => a.Index.CompareTo(b.Index));
        foreach (var rule in _matched)
            matches.Add(rule.Rule);
        return _matched.Count;
    }

    private static void Scan(LiteralIndex index, in SigmaFieldValue value, ref CandidateSink sink)
    {
        if (value.Kind == SigmaValueKind.List)
        {
            foreach (var item in value.Items!)
                Scan(index, item, ref sink);
            return;
        }
        if (value.Text is { Length: > 0 } text && value.Kind != SigmaValueKind.Object)
            index.Scan(text, ref sink);
    }

    private struct CandidateSink(int[][] literalRules, int[] stamps, int stamp) : ILiteralSink
    {
        public readonly void Found(int literal)
        {
            foreach (var rule in literalRules[literal])
                stamps[rule] = stamp;
        }
    }
}

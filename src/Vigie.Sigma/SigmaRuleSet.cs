using System.Collections.Concurrent;
using System.Text;
using Vigie.Sigma.Parsing;

namespace Vigie.Sigma;

/// <summary>
/// Rules, correlations and filters loaded from YAML text or files, with every rejected document and its
/// reason. One bad document never stops the others from loading.
/// </summary>
public sealed class SigmaRuleSet
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly List<SigmaRule> _rules = [];
    private readonly List<SigmaCorrelationRule> _correlations = [];
    private readonly List<SigmaFilter> _filters = [];
    private readonly List<SigmaLoadError> _errors = [];
    private readonly HashSet<string> _files = [];

    /// <summary>The detection rules loaded.</summary>
    public IReadOnlyList<SigmaRule> Rules => _rules;
    /// <summary>The correlation rules loaded (those whose references resolve).</summary>
    public IReadOnlyList<SigmaCorrelationRule> Correlations => _correlations;
    /// <summary>The filters loaded.</summary>
    public IReadOnlyList<SigmaFilter> Filters => _filters;
    /// <summary>Every rejected document, with file, line, rule id and reason.</summary>
    public IReadOnlyList<SigmaLoadError> Errors => _errors;
    /// <summary>How many files were read.</summary>
    public int FileCount => _files.Count;

    /// <summary>Loads every <c>.yml</c>/<c>.yaml</c> file under the given files or folders, recursively, in parallel.</summary>
    public static SigmaRuleSet Load(IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var set = new SigmaRuleSet();
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                files.AddRange(Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                    .Where(f => f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase)));
            }
            else if (File.Exists(path))
            {
                files.Add(path);
            }
            else
            {
                set._errors.Add(new SigmaLoadError(path, 0, null, "no such file or folder"));
            }
        }
        files.Sort(StringComparer.Ordinal);
        // Parsing dominates loading; files are independent, so they are read on every core and merged in path order.
        var results = new SigmaDocumentReader.Result[files.Count];
        Parallel.For(0, files.Count, i =>
        {
            var result = new SigmaDocumentReader.Result();
            ReadFile(files[i], result);
            results[i] = result;
        });
        for (var i = 0; i < files.Count; i++)
        {
            set._files.Add(files[i]);
            set.Add(results[i]);
        }
        set.ResolveReferences();
        return set;
    }

    /// <summary>Loads rules from YAML text (one or several documents); <paramref name="path"/> names the text in errors.</summary>
    public static SigmaRuleSet FromYaml(string yaml, string path = "<text>")
    {
        ArgumentNullException.ThrowIfNull(yaml);
        var set = new SigmaRuleSet();
        set.AddYaml(yaml, path);
        set.ResolveReferences();
        return set;
    }

    /// <summary>Adds the documents of more YAML text, then re-checks correlation references.</summary>
    public void AddYaml(string yaml, string path = "<text>")
    {
        ArgumentNullException.ThrowIfNull(yaml);
        var result = new SigmaDocumentReader.Result();
        SigmaDocumentReader.Read(yaml, path, result);
        _files.Add(path);
        Add(result);
        ResolveReferences();
    }

    private static void ReadFile(string path, SigmaDocumentReader.Result result)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            result.Errors.Add(new SigmaLoadError(path, 0, null, "unreadable: " + e.Message));
            return;
        }
        string text;
        try
        {
            var span = bytes.AsSpan();
            if (span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
                span = span[3..];
            text = StrictUtf8.GetString(span);
        }
        catch (DecoderFallbackException e)
        {
            var offset = e.Index >= 0 ? e.Index : 0;
            var line = 1 + bytes.AsSpan(0, Math.Min(offset, bytes.Length)).Count((byte)'\n');
            result.Errors.Add(new SigmaLoadError(path, line, null, $"not valid UTF-8 (byte offset {offset})"));
            return;
        }
        SigmaDocumentReader.Read(text, path, result);
    }

    private void Add(SigmaDocumentReader.Result result)
    {
        _rules.AddRange(result.Rules);
        _correlations.AddRange(result.Correlations);
        _filters.AddRange(result.Filters);
        _errors.AddRange(result.Errors);
    }

    /// <summary>A correlation naming a rule that is not loaded is rejected, with the missing reference.</summary>
    private void ResolveReferences()
    {
        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (var r in _rules)
        {
            if (r.Id is not null)
                known.Add(r.Id);
            if (r.Name is not null)
                known.Add(r.Name);
        }
        // Correlations may chain, so resolve until nothing more is removed.
        bool removed;
        do
        {
            removed = false;
            var names = new HashSet<string>(known, StringComparer.Ordinal);
            foreach (var c in _correlations)
            {
                if (c.Id is not null)
                    names.Add(c.Id);
                if (c.Name is not null)
                    names.Add(c.Name);
            }
            for (var i = _correlations.Count - 1; i >= 0; i--)
            {
                var c = _correlations[i];
                var missing = c.Rules.FirstOrDefault(r => !names.Contains(r));
                if (missing is null)
                    continue;
                _errors.Add(new SigmaLoadError(c.Source.Path, c.Source.Line, c.Id, $"correlation names rule '{missing}', which is not loaded"));
                _correlations.RemoveAt(i);
                removed = true;
            }
        }
        while (removed);
    }

    /// <summary>Rules, correlations and filters found by id or name.</summary>
    internal static ConcurrentDictionary<string, T> Index<T>(IEnumerable<T> items, Func<T, string?> id, Func<T, string?> name)
        where T : class
    {
        var index = new ConcurrentDictionary<string, T>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (id(item) is { } i)
                index.TryAdd(i, item);
            if (name(item) is { } n)
                index.TryAdd(n, item);
        }
        return index;
    }
}

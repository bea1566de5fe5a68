using System.Collections.Concurrent;
using System.Globalization;
using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Vigie.Core.Data;
using Vigie.Formats.Fhir;

namespace Vigie.Core.Records;

/// <summary>A parsed search: the parameters, paging and sort, checked against what the type supports.</summary>
public sealed record FhirSearchQuery(
    string ResourceType,
    IReadOnlyList<(FhirSearchParameter Parameter, string Value)> Parameters,
    IReadOnlyList<string> Ids,
    IReadOnlyList<string> LastUpdated,
    int Count,
    int Offset,
    string? Sort,
    string? PatientId,
    bool CountAll = true)
{
    public const int DefaultCount = 50;
    public const int MaxCount = 500;

    /// <summary>The parameters that control results rather than filter them.</summary>
    public static readonly string[] ControlParameters = ["_count", "_sort", "_offset", "_format", "_total"];

    /// <summary>
    /// Whether a search with this <c>_total</c> counts every match: none leaves the total out of the bundle and nothing is
    /// counted; an estimate is the exact count. A value that is none of the three is added to <paramref name="problems"/>.
    /// </summary>
    public static bool CountsAll(string total, List<string> problems)
    {
        if (total is not ("none" or "estimate" or "accurate"))
            problems.Add($"_total: '{total}' must be none, estimate or accurate");
        return total != "none";
    }

    /// <summary>How many rows to ask the store for: one more than the page when the search is not counted.</summary>
    public static int Asked(int count, bool countAll) => countAll || count == 0 ? count : count + 1;

    /// <summary>
    /// Whether another page follows the <paramref name="count"/> rows from <paramref name="offset"/>. Uncounted, the
    /// store was asked one row more than the page holds (<see cref="Asked"/>): whether it came says so, and it is
    /// taken off <paramref name="rows"/>.
    /// </summary>
    public static bool MoreAfter<T>(List<T> rows, int? total, int offset, int count)
    {
        if (total is { } all)
            return count > 0 && (long)offset + count < all;
        var more = rows.Count > count;
        if (more)
            rows.RemoveRange(count, rows.Count - count);
        return more;
    }

    /// <summary>The parameter names used, for the ledger (never their values).</summary>
    public string Names => string.Join(',', Parameters.Select(p => p.Parameter.Name)
        .Concat(Ids.Count > 0 ? ["_id"] : []).Concat(LastUpdated.Count > 0 ? ["_lastUpdated"] : []).Distinct());

    /// <summary>Parses query parameters; unknown parameters, modifiers and malformed values are named in the error.</summary>
    public static FhirSearchQuery Parse(string type, IEnumerable<KeyValuePair<string, string>> query)
    {
        var parameters = new List<(FhirSearchParameter, string)>();
        var ids = new List<string>();
        var lastUpdated = new List<string>();
        var problems = new List<string>();
        int count = DefaultCount, offset = 0;
        string? sort = null, patient = null;
        var countAll = true;
        foreach (var (name, value) in query)
        {
            switch (name)
            {
                case "_format":
                    if (value is not ("json" or "application/json" or "application/fhir+json"))
                        problems.Add($"_format: '{value}' is not supported (json only)");
                    continue;
                case "_count":
                    if (!int.TryParse(value, CultureInfo.InvariantCulture, out count) || count < 0 || count > MaxCount)
                        problems.Add($"_count: '{value}' must be a number from 0 to {MaxCount}");
                    continue;
                case "_offset":
                    if (!int.TryParse(value, CultureInfo.InvariantCulture, out offset) || offset < 0)
                        problems.Add($"_offset: '{value}' must be a non-negative number");
                    continue;
                case "_total":
                    countAll = CountsAll(value, problems);
                    continue;
                case "_sort":
                    var key = value.TrimStart('-');
                    if (key is not ("_id" or "_lastUpdated") && !(FhirSearchParameters.TryGet(type, key, out var sp) && sp.Type == FhirSearchParameterType.Date))
                        problems.Add($"_sort: '{value}' is not supported for {type} (_id, _lastUpdated or a date parameter, '-' for descending)");
                    sort = value;
                    continue;
                case "_id":
                    ids.AddRange(value.Split(',', StringSplitOptions.RemoveEmptyEntries));
                    continue;
                case "_lastUpdated":
                    lastUpdated.Add(value);
                    if (!DatePrefix.TryParse(value, out _, out _))
                        problems.Add($"_lastUpdated: '{value}' is not a date with an optional prefix (eq, ne, gt, ge, lt, le)");
                    continue;
            }
            if (!FhirSearchParameters.TryGet(type, name, out var parameter))
            {
                var supported = string.Join(", ", FhirSearchParameters.For(type).Select(p => p.Name).Order().Concat(["_id", "_lastUpdated", "_count", "_sort", "_offset", "_total"]));
                problems.Add(name.Contains(':', StringComparison.Ordinal)
                    ? $"{name}: modifiers are not supported"
                    : $"{name}: unknown search parameter for {type}; supported: {supported}");
                continue;
            }
            if (value.Length == 0)
            {
                problems.Add($"{name}: a value is required");
                continue;
            }
            if (parameter.Type == FhirSearchParameterType.Date && value.Split(',').Any(v => !DatePrefix.TryParse(v, out _, out _)))
                problems.Add($"{name}: '{value}' is not a date with an optional prefix (eq, ne, gt, ge, lt, le)");
            if (parameter.Type == FhirSearchParameterType.String && FhirSearchValues.SplitWords(value).Any(w => w.Length < 2))
                problems.Add($"{name}: '{value}' is too short; give at least two letters of a word");
            if (name == "patient" || (name == "subject" && (!value.Contains('/', StringComparison.Ordinal) || value.StartsWith("Patient/", StringComparison.Ordinal))))
            {
                var id = value.StartsWith("Patient/", StringComparison.Ordinal) ? value["Patient/".Length..] : value;
                if (!FhirPrimitives.IsId(id))
                    problems.Add($"{name}: '{value}' is not a Patient id");
                else if (patient is not null && patient != id)
                    problems.Add($"{name}: only one patient per search");
                else
                    patient = id;
                continue;
            }
            parameters.Add((parameter, value));
        }
        if (problems.Count > 0)
            throw FhirException.Invalid($"the search of {type} has {problems.Count} invalid parameter(s)", problems);
        return new FhirSearchQuery(type, parameters, ids, lastUpdated, count, offset, sort, patient, countAll);
    }
}

/// <summary>A date search value: <c>ge2020-01-01</c> → prefix ge and the range of that day.</summary>
public static class DatePrefix
{
    public static bool TryParse(string text, out string prefix, out FhirDate date)
    {
        prefix = "eq";
        var value = text;
        if (text.Length > 2 && char.IsAsciiLetterLower(text[0]) && char.IsAsciiLetterLower(text[1]))
        {
            prefix = text[..2];
            value = text[2..];
            if (prefix is not ("eq" or "ne" or "gt" or "ge" or "lt" or "le"))
            {
                date = default;
                return false;
            }
        }
        return FhirDate.TryParse(value, out date);
    }
}

/// <summary>Runs a parsed search over the blind index (tokens, words, references) and the clear date ranges.</summary>
public sealed class FhirSearch(VigieDbContext db, FhirResourceStore store, RecordKeyring keys, ICurrentResourceReader? current = null)
{
    /// <summary>A page of results; <paramref name="Total"/> is null when the search was not counted (<c>_total=none</c>).</summary>
    public sealed record Page(List<StoredResource> Rows, int? Total, bool More)
    {
        /// <summary>The page of <paramref name="count"/> rows from <paramref name="offset"/>, as <see cref="FhirSearchQuery.MoreAfter"/> trims it.</summary>
        public static Page Of(List<StoredResource> rows, int? total, int offset, int count) =>
            new(rows, total, FhirSearchQuery.MoreAfter(rows, total, offset, count));
    }

    private sealed record PatientQueries(
        Func<VigieDbContext, string, string, CancellationToken, Task<int>> Count,
        Func<VigieDbContext, string, string, int, int, IAsyncEnumerable<StoredResource>> Page);

    // The commonest search, one patient's resources of a type newest first (Observation?patient=…&_count=10), as
    // queries compiled once per model: translating the LINQ expression on every search took about 45 % of a search's
    // own CPU (perf, bench/fhir/run.sh).
    private static readonly ConcurrentDictionary<IModel, PatientQueries> ByPatient = new();

    private static PatientQueries Compile() => new(
        EF.CompileAsyncQuery((VigieDbContext db, string type, string patient, CancellationToken ct) =>
            db.FhirResources.Count(r => r.ResourceType == type && !r.Deleted && r.PatientId == patient)),
        EF.CompileAsyncQuery((VigieDbContext db, string type, string patient, int skip, int take) =>
            db.FhirResources.AsNoTracking().Where(r => r.ResourceType == type && !r.Deleted && r.PatientId == patient)
                .OrderByDescending(r => r.LastUpdated).ThenByDescending(r => r.Id).Skip(skip).Take(take)));

    private async Task<Page> RunForPatientAsync(string type, string patient, int offset, int count, bool countAll, CancellationToken ct)
    {
        var asked = FhirSearchQuery.Asked(count, countAll);
        // The store's own reader when it has one: EF's count and page queries (the context, the statements parsed
        // again on every search) were the largest share of a search's CPU (bench/fhir/run.sh, perf).
        if (current is not null)
        {
            var (page, all) = await current.PatientPageAsync(type, patient, offset, asked, countAll, ct);
            return Page.Of(page, all, offset, count);
        }
        var queries = ByPatient.GetOrAdd(db.Model, static _ => Compile());
        int? total = countAll ? await queries.Count(db, type, patient, ct) : null;
        var rows = new List<StoredResource>(Math.Min(asked, 64));
        if (asked > 0)
        {
            await foreach (var row in queries.Page(db, type, patient, offset, asked).WithCancellation(ct))
                rows.Add(row);
        }
        return Page.Of(rows, total, offset, count);
    }

    public async Task<Page> RunAsync(FhirSearchQuery query, CancellationToken ct = default)
    {
        await keys.EnsureLoadedAsync(ct);
        var type = query.ResourceType;
        if (query.PatientId is { } only && query.Parameters.Count == 0 && query.Ids.Count == 0 && query.LastUpdated.Count == 0 &&
            query.Sort is null or "-_lastUpdated")
            return await RunForPatientAsync(type, only, query.Offset, query.Count, query.CountAll, ct);
        var q = db.FhirResources.AsNoTracking().Where(r => r.ResourceType == type && !r.Deleted);
        if (query.PatientId is { } patient)
            q = q.Where(r => r.PatientId == patient);
        if (query.Ids.Count > 0)
        {
            var ids = query.Ids.ToList();
            q = q.Where(r => ids.Contains(r.Id));
        }
        foreach (var value in query.LastUpdated)
        {
            DatePrefix.TryParse(value, out var prefix, out var date);
            var (low, high) = (date.Low, date.High);
            q = prefix switch
            {
                "gt" => q.Where(r => r.LastUpdated >= high),
                "ge" => q.Where(r => r.LastUpdated >= low),
                "lt" => q.Where(r => r.LastUpdated < low),
                "le" => q.Where(r => r.LastUpdated < high),
                "ne" => q.Where(r => r.LastUpdated < low || r.LastUpdated >= high),
                _ => q.Where(r => r.LastUpdated >= low && r.LastUpdated < high),
            };
        }
        foreach (var (parameter, value) in query.Parameters)
        {
            var name = parameter.Name;
            var index = db.FhirSearchIndex.AsNoTracking().Where(i => i.ResourceType == type && i.Param == name);
            switch (parameter.Type)
            {
                case FhirSearchParameterType.Date:
                {
                    IQueryable<string>? union = null;
                    foreach (var v in value.Split(','))
                    {
                        DatePrefix.TryParse(v, out var prefix, out var date);
                        long low = FhirJson.Micros(date.Low), high = FhirJson.Micros(date.High);
                        var matching = prefix switch
                        {
                            "gt" => index.Where(i => i.High > high),
                            "ge" => index.Where(i => i.High > low),
                            "lt" => index.Where(i => i.Low < low),
                            "le" => index.Where(i => i.Low < high),
                            "ne" => index.Where(i => i.High <= low || i.Low >= high),
                            _ => index.Where(i => i.Low >= low && i.High <= high),
                        };
                        var ids = matching.Select(i => i.ResourceId);
                        union = union is null ? ids : union.Union(ids);
                    }
                    var resourceIds = union!;
                    q = q.Where(r => resourceIds.Contains(r.Id));
                    break;
                }
                case FhirSearchParameterType.String:
                    // Every word must start a word of the element (AND); each word is one blind token.
                    foreach (var word in FhirSearchValues.SplitWords(value).Distinct())
                    {
                        var ids = TokenMatches(index, [store.IndexToken(type, name, word)]);
                        q = q.Where(r => ids.Contains(r.Id));
                    }
                    break;
                case FhirSearchParameterType.Reference:
                {
                    var tokens = value.Split(',').Select(v => store.IndexToken(type, name, v.Contains('/', StringComparison.Ordinal) ? v : $"{parameter.Targets![0]}/{v}")).ToList();
                    var ids = TokenMatches(index, tokens);
                    q = q.Where(r => ids.Contains(r.Id));
                    break;
                }
                default:
                {
                    var tokens = value.Split(',').Select(v => store.IndexToken(type, name, v.StartsWith('|') ? v[1..] : v)).ToList();
                    var ids = TokenMatches(index, tokens);
                    q = q.Where(r => ids.Contains(r.Id));
                    break;
                }
            }
        }
        int? total = query.CountAll ? await q.CountAsync(ct) : null;
        var sort = query.Sort ?? "-_lastUpdated";
        var descending = sort.StartsWith('-');
        var key = sort.TrimStart('-');
        IOrderedQueryable<StoredResource> ordered;
        if (key == "_id")
        {
            ordered = descending ? q.OrderByDescending(r => r.Id) : q.OrderBy(r => r.Id);
        }
        else if (key == "_lastUpdated")
        {
            ordered = descending ? q.OrderByDescending(r => r.LastUpdated).ThenByDescending(r => r.Id) : q.OrderBy(r => r.LastUpdated).ThenBy(r => r.Id);
        }
        else
        {
            var dates = db.FhirSearchIndex.AsNoTracking().Where(i => i.ResourceType == type && i.Param == key);
            ordered = descending
                ? q.OrderByDescending(r => dates.Where(i => i.ResourceId == r.Id).Max(i => i.Low))
                : q.OrderBy(r => dates.Where(i => i.ResourceId == r.Id).Min(i => i.Low));
            ordered = ordered.ThenBy(r => r.Id);
        }
        var asked = FhirSearchQuery.Asked(query.Count, query.CountAll);
        var rows = asked == 0 ? [] : await ordered.Skip(query.Offset).Take(asked).ToListAsync(ct);
        return Page.Of(rows, total, query.Offset, query.Count);
    }

    private static IQueryable<string> TokenMatches(IQueryable<SearchIndexEntry> index, List<byte[]> tokens)
    {
        var i = Expression.Parameter(typeof(SearchIndexEntry), "i");
        Expression? body = null;
        foreach (var token in tokens)
        {
            var equal = Expression.Equal(Expression.Property(i, nameof(SearchIndexEntry.Token)), Expression.Constant(token, typeof(byte[])));
            body = body is null ? equal : Expression.OrElse(body, equal);
        }
        return index.Where(Expression.Lambda<Func<SearchIndexEntry, bool>>(body!, i)).Select(x => x.ResourceId);
    }
}

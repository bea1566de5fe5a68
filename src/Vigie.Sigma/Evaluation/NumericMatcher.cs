using System.Globalization;
using Vigie.Sigma.Events;

namespace Vigie.Sigma.Evaluation;

/// <summary>
/// Modifiers <c>lt</c>, <c>lte</c>, <c>gt</c>, <c>gte</c>, and the time modifiers (<c>minute</c> … <c>year</c>),
/// which extract a number from a date before comparing it (equality unless combined with a comparison).
/// </summary>
internal sealed class NumericMatcher(NumericComparison comparison, double number, TimePart part) : ValueMatcher
{
    private static readonly string[] DateFormats =
    [
        "yyyy-MM-dd HH:mm:ss.FFFFFFF", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-ddTHH:mm:ss.FFFFFFFK", "yyyy-MM-ddTHH:mm:ssK",
        "yyyy-MM-dd HH:mm:ss.FFFFFFFK", "yyyy-MM-dd",
    ];

    public override bool Matches(in SigmaFieldValue value)
    {
        double actual;
        if (part == TimePart.None)
        {
            if (!value.TryGetNumber(out actual))
                return false;
        }
        else if (!TryGetTimePart(value, part, out actual))
        {
            return false;
        }
        return comparison switch
        {
            NumericComparison.Equal => actual == number,
            NumericComparison.Less => actual < number,
            NumericComparison.LessOrEqual => actual <= number,
            NumericComparison.Greater => actual > number,
            NumericComparison.GreaterOrEqual => actual >= number,
            _ => false,
        };
    }

    internal static bool TryParseDate(string text, out DateTimeOffset date) =>
        DateTimeOffset.TryParseExact(text, DateFormats, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out date)
        || DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out date);

    private static bool TryGetTimePart(in SigmaFieldValue value, TimePart part, out double result)
    {
        result = 0;
        if (value.Text is not { } text || value.Kind != SigmaValueKind.String || !TryParseDate(text, out var date))
            return false;
        // Parts are read as written in the event: the modifiers do no time-zone conversion (appendix warning).
        var d = date.DateTime;
        result = part switch
        {
            TimePart.Minute => d.Minute,
            TimePart.Hour => d.Hour,
            TimePart.Day => d.Day,
            TimePart.Week => ISOWeek.GetWeekOfYear(d),
            TimePart.Month => d.Month,
            TimePart.Year => d.Year,
            _ => double.NaN,
        };
        return true;
    }
}

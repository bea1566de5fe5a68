namespace Vigie.Sigma.Parsing;

/// <summary>The value modifiers of Sigma 2.1 (modifiers appendix), as written after <c>|</c> in a field name.</summary>
internal enum SigmaModifier
{
    Contains,
    StartsWith,
    EndsWith,
    All,
    Exists,
    Cased,
    Neq,
    Windash,
    Re,
    ReIgnoreCase,
    ReMultiline,
    ReSingleline,
    Base64,
    Base64Offset,
    Utf16Le,
    Utf16Be,
    Utf16,
    Lt,
    Lte,
    Gt,
    Gte,
    Cidr,
    Expand,
    FieldRef,
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Year,
}

internal static class SigmaModifiers
{
    public static bool TryParse(string name, out SigmaModifier modifier)
    {
        switch (name)
        {
            case "contains": modifier = SigmaModifier.Contains; return true;
            case "startswith": modifier = SigmaModifier.StartsWith; return true;
            case "endswith": modifier = SigmaModifier.EndsWith; return true;
            case "all": modifier = SigmaModifier.All; return true;
            case "exists": modifier = SigmaModifier.Exists; return true;
            case "cased": modifier = SigmaModifier.Cased; return true;
            case "neq": modifier = SigmaModifier.Neq; return true;
            case "windash": modifier = SigmaModifier.Windash; return true;
            case "re": modifier = SigmaModifier.Re; return true;
            case "i": modifier = SigmaModifier.ReIgnoreCase; return true;
            case "m": modifier = SigmaModifier.ReMultiline; return true;
            case "s": modifier = SigmaModifier.ReSingleline; return true;
            case "base64": modifier = SigmaModifier.Base64; return true;
            case "base64offset": modifier = SigmaModifier.Base64Offset; return true;
            case "utf16le" or "wide": modifier = SigmaModifier.Utf16Le; return true;
            case "utf16be": modifier = SigmaModifier.Utf16Be; return true;
            case "utf16": modifier = SigmaModifier.Utf16; return true;
            case "lt": modifier = SigmaModifier.Lt; return true;
            case "lte": modifier = SigmaModifier.Lte; return true;
            case "gt": modifier = SigmaModifier.Gt; return true;
            case "gte": modifier = SigmaModifier.Gte; return true;
            case "cidr": modifier = SigmaModifier.Cidr; return true;
            case "expand": modifier = SigmaModifier.Expand; return true;
            case "fieldref": modifier = SigmaModifier.FieldRef; return true;
            case "minute": modifier = SigmaModifier.Minute; return true;
            case "hour": modifier = SigmaModifier.Hour; return true;
            case "day": modifier = SigmaModifier.Day; return true;
            case "week": modifier = SigmaModifier.Week; return true;
            case "month": modifier = SigmaModifier.Month; return true;
            case "year": modifier = SigmaModifier.Year; return true;
            default: modifier = default; return false;
        }
    }
}

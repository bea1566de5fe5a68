namespace Vigie.Core;

/// <summary>What kind of refusal an operation met; decides the HTTP status and the exit code.</summary>
public enum ProblemKind
{
    Invalid = 1,
    NotFound = 2,
    Conflict = 3,
    Forbidden = 4,
    Unauthorized = 5,
    Locked = 6,
}

/// <summary>A refusal a user can act on, with a message naming what is wrong.</summary>
public sealed class VigieException(ProblemKind kind, string message) : Exception(message)
{
    public ProblemKind Kind { get; } = kind;

    public static VigieException Invalid(string message) => new(ProblemKind.Invalid, message);
    public static VigieException NotFound(string message) => new(ProblemKind.NotFound, message);
    public static VigieException Conflict(string message) => new(ProblemKind.Conflict, message);
    public static VigieException Forbidden(string message) => new(ProblemKind.Forbidden, message);
}

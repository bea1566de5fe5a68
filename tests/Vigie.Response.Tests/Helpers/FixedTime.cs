namespace Vigie.Response.Tests.Helpers;

/// <summary>A clock that shows what the test says, and moves when the test moves it.</summary>
public sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;

    public void Advance(TimeSpan by) => Now += by;
}

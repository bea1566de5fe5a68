namespace Vigie.Core.Alerts;

/// <summary>How alerts are built; read from configuration (<c>alert_group_window_minutes</c>).</summary>
public sealed class AlertOptions
{
    /// <summary>A detection joins an open alert of the same rule and entity seen within this window; else it opens a new one.</summary>
    public TimeSpan GroupWindow { get; init; } = TimeSpan.FromHours(1);

    /// <summary>The longest a suppression or exception may last before it must be renewed.</summary>
    public TimeSpan MaxTuningLifetime { get; init; } = TimeSpan.FromDays(365);
}

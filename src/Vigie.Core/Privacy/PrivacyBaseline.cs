using System.Globalization;
using System.Net;
using Vigie.Core.Time;

namespace Vigie.Core.Privacy;

/// <summary>
/// Per-user baselines that plain Sigma cannot keep: the hours a user works, how many distinct patients they
/// open on a day, the establishments and networks they work from. Once a user has been seen on enough days,
/// an access at an hour they never work, a day with far more patients than their own usual, or an access from
/// an establishment or network they never used, becomes a finding, which the privacy monitor turns into a
/// detection like the Sigma ones. The state is in memory and rebuilt from the access index at start-up.
/// </summary>
public sealed class PrivacyBaseline(PrivacyBaseline.Options options, Func<string?, string> zoneOf, Func<string, string>? patientKey = null)
{
    public sealed record Options
    {
        /// <summary>Days a user must have been seen on before their baseline judges anything.</summary>
        public int LearningDays { get; init; } = 7;
        /// <summary>Accesses a user must have made before their baseline judges anything.</summary>
        public int MinAccesses { get; init; } = 50;
        /// <summary>An hour is usual for a user when at least this share of their accesses fell in it.</summary>
        public double UsualHourShare { get; init; } = 0.02;
        /// <summary>Distinct patients in a day above max(floor, factor × the user's 90th percentile day) is unusual.</summary>
        public int VolumeFloor { get; init; } = 25;
        public double VolumeFactor { get; init; } = 2.5;
        /// <summary>Days of history kept per user for the volume baseline.</summary>
        public int HistoryDays { get; init; } = 60;
    }

    public const string UnusualHourRule = "9e254aa0-e5c6-490e-beae-ac44436f7973";
    public const string PatientVolumeRule = "953f4e4e-b51b-4563-bfca-816e81deb437";
    public const string UnusualEstablishmentRule = "8650311d-4cb3-4f48-b16c-74aa00c7150f";
    public const string UnusualAddressRule = "ba8626e5-f6f1-4621-9e21-77cf9bc8eecf";

    /// <summary>A finding: the baseline rule it stands for, its title, level and the fact that makes it.</summary>
    public sealed record Finding(string RuleId, string Title, Vigie.Sigma.SigmaLevel Level, PrivacyRisk.Fact Fact);

    private sealed class UserState
    {
        public readonly int[] Hours = new int[24];
        public int Total;
        public readonly HashSet<DateOnly> Days = [];
        public DateOnly Today;
        public readonly HashSet<string> TodayPatients = new(StringComparer.Ordinal);
        public bool VolumeRaised;
        public readonly List<int> DailyDistinct = [];
        public readonly HashSet<string> Organizations = new(StringComparer.Ordinal);
        public readonly HashSet<string> Networks = new(StringComparer.Ordinal);
    }

    private readonly Dictionary<string, UserState> _users = new(StringComparer.OrdinalIgnoreCase);

    public int Users => _users.Count;

    /// <summary>Judges one access against the user's baseline (empty while it is still learning), then learns from it.</summary>
    public List<Finding> Observe(RecordAccess access, bool judge = true)
    {
        var findings = new List<Finding>();
        var user = access.User;
        if (user is null)
            return findings;
        if (!_users.TryGetValue(user, out var state))
            _users[user] = state = new UserState();
        var local = LocalTime.ToZone(access.Time, zoneOf(access.Organization));
        var day = DateOnly.FromDateTime(local.DateTime);
        if (day != state.Today)
        {
            if (state.TodayPatients.Count > 0)
            {
                state.DailyDistinct.Add(state.TodayPatients.Count);
                if (state.DailyDistinct.Count > options.HistoryDays)
                    state.DailyDistinct.RemoveAt(0);
            }
            state.TodayPatients.Clear();
            state.VolumeRaised = false;
            state.Today = day;
        }
        var mature = state.Days.Count >= options.LearningDays && state.Total >= options.MinAccesses;
        var hour = local.Hour;
        var network = Network(access.SourceAddress);
        if (judge && mature)
        {
            if (!Usual(state, hour) && !Usual(state, (hour + 23) % 24) && !Usual(state, (hour + 1) % 24))
            {
                findings.Add(new Finding(UnusualHourRule, "Record access at an hour unusual for the user", Vigie.Sigma.SigmaLevel.Medium,
                    new PrivacyRisk.Fact($"at {local:HH:mm}, outside the user's usual hours ({UsualHours(state)})", 0.3)));
            }
            if (access.Organization is { } org && !state.Organizations.Contains(org))
            {
                findings.Add(new Finding(UnusualEstablishmentRule, "Record access from an establishment unusual for the user", Vigie.Sigma.SigmaLevel.Medium,
                    new PrivacyRisk.Fact($"from establishment {org}, where the user never worked before", 0.35)));
            }
            if (network is not null && state.Networks.Count > 0 && !state.Networks.Contains(network))
            {
                findings.Add(new Finding(UnusualAddressRule, "Record access from a network unusual for the user", Vigie.Sigma.SigmaLevel.Low,
                    new PrivacyRisk.Fact($"from network {network}, never used by the user before", 0.3)));
            }
        }
        state.Hours[hour]++;
        state.Total++;
        state.Days.Add(day);
        if (access.Organization is { } o)
            state.Organizations.Add(o);
        if (network is not null)
            state.Networks.Add(network);
        if (access.IsRecordRead && access.PatientId is { } patient && state.TodayPatients.Add(patientKey?.Invoke(patient) ?? patient) && judge && mature && !state.VolumeRaised
            && state.DailyDistinct.Count >= Math.Max(3, options.LearningDays / 2))
        {
            var usual = Percentile90(state.DailyDistinct);
            var threshold = Math.Max(options.VolumeFloor, (int)Math.Ceiling(options.VolumeFactor * usual));
            if (state.TodayPatients.Count > threshold)
            {
                state.VolumeRaised = true;
                findings.Add(new Finding(PatientVolumeRule, "Many more distinct patients than the user's usual", Vigie.Sigma.SigmaLevel.High,
                    new PrivacyRisk.Fact($"{state.TodayPatients.Count} distinct patients today, against {usual} on the user's usual busy day", 0.5)));
            }
        }
        return findings;
    }

    private bool Usual(UserState s, int hour) => s.Total > 0 && (double)s.Hours[hour] / s.Total >= options.UsualHourShare;

    private string UsualHours(UserState s)
    {
        var hours = Enumerable.Range(0, 24).Where(h => Usual(s, h)).ToList();
        return hours.Count == 0 ? "none yet" : string.Join(", ", Ranges(hours));
    }

    private static IEnumerable<string> Ranges(List<int> hours)
    {
        var start = hours[0];
        var previous = hours[0];
        foreach (var h in hours.Skip(1).Append(-1))
        {
            if (h == previous + 1)
            {
                previous = h;
                continue;
            }
            yield return string.Create(CultureInfo.InvariantCulture, $"{start:00}:00–{previous + 1:00}:00");
            start = previous = h;
        }
    }

    private static int Percentile90(List<int> values)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(0.9 * sorted.Count) - 1)];
    }

    /// <summary>The /24 of an IPv4 address, the /64 of an IPv6 one; null when there is none.</summary>
    public static string? Network(string? address)
    {
        if (address is null || !IPAddress.TryParse(address, out var ip))
            return null;
        var bytes = ip.GetAddressBytes();
        if (bytes.Length == 4)
            return $"{bytes[0]}.{bytes[1]}.{bytes[2]}.0/24";
        for (var i = 8; i < 16; i++)
            bytes[i] = 0;
        return new IPAddress(bytes) + "/64";
    }
}

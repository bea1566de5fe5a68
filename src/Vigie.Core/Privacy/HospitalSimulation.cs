using System.Globalization;
using System.Text.Json;

namespace Vigie.Core.Privacy;

/// <summary>
/// A simulated hospital's record traffic, for the privacy scenario test and the demo: staff in units and shifts,
/// patients admitted and discharged, normal care traffic over days (reads of patients in care, searches,
/// emergency break-the-glass, consultations not yet recorded, overtime), and — after the learning days —
/// planted inappropriate accesses of every kind the privacy rules look for, each labelled with its case.
/// Deterministic for a seed. Events have the records gateway's shape (docs/PRIVACY.md).
/// </summary>
public sealed class HospitalSimulation
{
    public sealed record Options
    {
        public int Seed { get; init; } = 1;
        public DateTime Start { get; init; } = new(2026, 4, 6, 0, 0, 0, DateTimeKind.Utc);
        public int Days { get; init; } = 14;
        /// <summary>Days before any planted case, for the baselines to learn.</summary>
        public int LearningDays { get; init; } = 8;
        /// <summary>How many times each kind of inappropriate access is planted.</summary>
        public int Rounds { get; init; } = 2;
        public string Establishment { get; init; } = "CHU-SIM";
        public string OtherEstablishment { get; init; } = "HOSP-SIM";
        public int Patients { get; init; } = 3000;
    }

    /// <summary>One event, its id, and the planted case it belongs to (null for normal traffic). Events use the audit ledger's names (docs/PRIVACY.md).</summary>
    public sealed record Event(string Id, DateTime Time, string User, string Json, int? Case);

    /// <summary>An inappropriate access planted in the traffic.</summary>
    public sealed record PlantedCase(int Id, string Kind, string User, DateTime Time);

    public static IReadOnlyList<string> Kinds { get; } =
    [
        "no-care-relationship", "co-worker", "family-name", "family-address", "vip", "own-record", "deceased",
        "break-glass-without-emergency", "break-glass-repeated", "bulk-look-up", "unusual-hour", "disabled-account",
        "expired-account", "partner-account", "unusual-establishment", "unusual-address", "name-fragment-searches",
    ];

    private static readonly string[] FamilyNames =
    [
        "Alaoui", "Benali", "Bennani", "Berrada", "Chraibi", "El Amrani", "El Fassi", "El Idrissi", "Filali", "Guessous",
        "Haddad", "Hajji", "Kabbaj", "Kettani", "Lahlou", "Lamrani", "Mansouri", "Mernissi", "Naciri", "Ouazzani",
        "Rahmouni", "Sebti", "Slaoui", "Tazi", "Tahiri", "Zniber", "Bouzidi", "Amrani", "Cherkaoui", "Benjelloun",
        "Skalli", "Bouhaddou", "Ziani", "Mouline", "Sqalli", "Belkadi", "Drissi", "Fikri", "Ghazi", "Hamdaoui",
    ];

    private sealed record Staff(string User, string Unit, string Family, int Address, int ShiftStart, int ShiftHours, string Role, int Subnet, string PatientId);

    private sealed class Patient(string id, string family, int address)
    {
        public string Id { get; } = id;
        public string Family { get; } = family;
        public int Address { get; } = address;
        public bool Vip { get; set; }
        public bool Deceased { get; set; }
        public bool Employee { get; set; }
    }

    private readonly Options _o;
    private readonly Random _random;
    private readonly List<Staff> _staff = [];
    private readonly List<Patient> _patients = [];
    private readonly Dictionary<string, List<(Patient Patient, int Until)>> _census = [];
    private readonly List<Event> _events = [];
    private readonly List<PlantedCase> _cases = [];
    private int _next;

    private HospitalSimulation(Options options)
    {
        _o = options;
        _random = new Random(options.Seed);
    }

    public IReadOnlyList<Event> Events => _events;

    public IReadOnlyList<PlantedCase> Cases => _cases;

    public int StaffCount => _staff.Count;

    public static HospitalSimulation Run(Options? options = null)
    {
        var sim = new HospitalSimulation(options ?? new Options());
        sim.Populate();
        for (var day = 0; day < sim._o.Days; day++)
        {
            sim.Admit(day);
            sim.NormalDay(day);
            if (day >= sim._o.LearningDays)
                sim.Plant(day);
        }
        sim._events.Sort((a, b) => a.Time.CompareTo(b.Time));
        return sim;
    }

    private void Populate()
    {
        for (var i = 0; i < _o.Patients; i++)
            _patients.Add(new Patient($"NHI-{100000 + i}", FamilyNames[_random.Next(FamilyNames.Length)], _random.Next(1, 2000)));
        foreach (var p in _patients.OrderBy(_ => _random.Next()).Take(12))
            p.Vip = true;
        foreach (var p in _patients.Where(p => !p.Vip).OrderBy(_ => _random.Next()).Take(40))
            p.Deceased = true;
        var units = new (string Unit, int Nurses, int Doctors)[] { ("emergency", 8, 4), ("medicine", 7, 3), ("surgery", 7, 3), ("paediatrics", 6, 2), ("maternity", 6, 2) };
        var subnet = 10;
        foreach (var (unit, nurses, doctors) in units)
        {
            _census[unit] = [];
            for (var n = 0; n < nurses; n++)
            {
                // Nurses work fixed shifts: mornings, afternoons or nights.
                var start = (n % 3) switch { 0 => 7, 1 => 15, _ => 23 };
                AddStaff($"{unit[..3]}.nurse{n + 1}", unit, start, 8, "nurse", subnet);
            }
            for (var d = 0; d < doctors; d++)
                AddStaff($"{unit[..3]}.dr{d + 1}", unit, 8, 10, "physician", subnet);
            subnet++;
        }
        foreach (var service in new[] { "radiology", "laboratory" })
        {
            for (var s = 0; s < 3; s++)
                AddStaff($"{service[..3]}.tech{s + 1}", service, 8, 9, "technician", subnet);
            subnet++;
        }
        for (var s = 0; s < 3; s++)
            AddStaff($"records.clerk{s + 1}", "records", 9, 8, "medical-records", subnet);
    }

    private void AddStaff(string user, string unit, int shiftStart, int hours, string role, int subnet)
    {
        var family = FamilyNames[_random.Next(FamilyNames.Length)];
        var own = new Patient($"NHI-{900000 + _staff.Count}", family, _random.Next(1, 2000)) { Employee = true };
        _patients.Add(own);
        _staff.Add(new Staff(user, unit, family, own.Address, shiftStart, hours, role, subnet, own.Id));
    }

    private IEnumerable<Staff> Ward(string unit) => _staff.Where(s => s.Unit == unit);

    /// <summary>Discharges patients whose stay ended and admits new ones, per care unit.</summary>
    private void Admit(int day)
    {
        foreach (var (unit, census) in _census)
        {
            census.RemoveAll(c => c.Until < day);
            var target = unit == "emergency" ? 40 : 22;
            var admissions = unit == "emergency" ? 40 : _random.Next(4, 8);
            for (var i = 0; i < admissions || census.Count < target; i++)
            {
                var patient = _patients[_random.Next(_o.Patients)];
                if (patient.Deceased || patient.Vip || census.Any(c => c.Patient == patient))
                    continue;
                census.Add((patient, day + (unit == "emergency" ? 0 : _random.Next(1, 7))));
                if (i > 200)
                    break;
            }
        }
    }

    private DateTime At(int day, double hour) => _o.Start.AddDays(day).AddHours(hour);

    private bool InCare(Staff s, Patient p) => _census.TryGetValue(s.Unit, out var c) && c.Any(x => x.Patient == p);

    private void NormalDay(int day)
    {
        foreach (var s in _staff)
        {
            var shiftStart = s.ShiftStart;
            // One shift in a hundred is overtime right after the usual one.
            if (_random.NextDouble() < 0.01)
                shiftStart = (s.ShiftStart + s.ShiftHours) % 24;
            if (s.Unit is "radiology" or "laboratory")
            {
                var all = _census.Values.SelectMany(c => c).Select(c => c.Patient).ToList();
                for (var i = _random.Next(15, 30); i > 0; i--)
                    Add(s, At(day, shiftStart + _random.NextDouble() * s.ShiftHours), all[_random.Next(all.Count)], "care-team");
                continue;
            }
            if (s.Unit == "records")
            {
                // The records office handles files of patients of the past episodes.
                var recent = _census.Values.SelectMany(c => c).Select(c => c.Patient).ToList();
                for (var i = _random.Next(10, 25); i > 0; i--)
                    Add(s, At(day, shiftStart + _random.NextDouble() * s.ShiftHours), recent[_random.Next(recent.Count)], "episode-of-care");
                continue;
            }
            var census = _census[s.Unit];
            if (census.Count == 0)
                continue;
            for (var i = _random.Next(15, 35); i > 0; i--)
            {
                var time = At(day, shiftStart + _random.NextDouble() * s.ShiftHours);
                var patient = census[_random.Next(census.Count)].Patient;
                if (_random.NextDouble() < 0.05)
                    Search(s, time, nameFragment: _random.NextDouble() < 0.5, care: "encounter");
                if (s.Unit == "emergency" && _random.NextDouble() < 0.01)
                {
                    // A patient arriving unconscious: the glass is broken in an emergency context.
                    Add(s, time, _patients[_random.Next(_o.Patients)], "none", breakGlass: true, purpose: "ETREAT", emergency: true);
                    continue;
                }
                Add(s, time, patient, "encounter", emergency: s.Unit == "emergency");
            }
            // A consultation requested by another unit, not recorded yet as a care relationship.
            if (s.Role == "physician" && _random.NextDouble() < 0.03)
            {
                var other = _census.Where(c => c.Key != s.Unit && c.Value.Count > 0).Select(c => c.Value).ToList();
                var list = other[_random.Next(other.Count)];
                Add(s, At(day, shiftStart + _random.NextDouble() * s.ShiftHours), list[_random.Next(list.Count)].Patient, "none");
            }
            // Now and then a name search that finds nobody in care (a misspelt name, a patient not yet admitted).
            if (_random.NextDouble() < 0.02)
                Search(s, At(day, shiftStart + _random.NextDouble() * s.ShiftHours), nameFragment: true, care: "none");
        }
    }

    private Staff Pick(Func<Staff, bool> where)
    {
        var list = _staff.Where(where).ToList();
        return list[_random.Next(list.Count)];
    }

    private Patient PickPatient(Func<Patient, bool> where, Staff s)
    {
        var list = _patients.Where(p => where(p) && !InCare(s, p) && p.Id != s.PatientId).ToList();
        return list[_random.Next(list.Count)];
    }

    private void Plant(int day)
    {
        var rounds = _o.Rounds;
        var perDay = Math.Max(1, (int)Math.Ceiling((double)Kinds.Count * rounds / Math.Max(1, _o.Days - _o.LearningDays)));
        var firstCase = _cases.Count;
        var planted = Kinds.Count * rounds;
        for (var k = 0; k < perDay && _cases.Count < planted; k++)
        {
            var kind = Kinds[_cases.Count % Kinds.Count];
            var id = _cases.Count + 1;
            var s = Pick(x => x.Unit is not ("radiology" or "laboratory" or "records") && x.ShiftStart != 23);
            var t = At(day, s.ShiftStart + 1 + _random.NextDouble() * (s.ShiftHours - 2));
            switch (kind)
            {
                case "no-care-relationship":
                    var stranger = PickPatient(p => !p.Vip && !p.Deceased && !p.Employee && p.Family != s.Family && p.Address != s.Address, s);
                    Add(s, t, stranger, "none", @case: id);
                    Add(s, t.AddMinutes(4), stranger, "none", @case: id);
                    break;
                case "co-worker":
                    var colleague = _staff.First(x => x.Unit == s.Unit && x != s);
                    Add(s, t, _patients.First(p => p.Id == colleague.PatientId), "none", @case: id);
                    break;
                case "family-name":
                    var relative = _patients.Where(p => p.Family == s.Family && !InCare(s, p) && p.Id != s.PatientId && !p.Employee).FirstOrDefault()
                        ?? PickPatient(p => !p.Employee, s);
                    Add(s, t, relative, "none", sameFamily: relative.Family == s.Family, @case: id);
                    break;
                case "family-address":
                    Add(s, t, PickPatient(p => !p.Employee && p.Family != s.Family, s), "none", sameAddress: true, @case: id);
                    break;
                case "vip":
                    Add(s, t, PickPatient(p => p.Vip, s), "none", @case: id);
                    break;
                case "own-record":
                    Add(s, t, _patients.First(p => p.Id == s.PatientId), "none", self: true, @case: id);
                    break;
                case "deceased":
                    Add(s, t, PickPatient(p => p.Deceased, s), "none", @case: id);
                    break;
                case "break-glass-without-emergency":
                    Add(s, t, PickPatient(p => !p.Vip && !p.Deceased && !p.Employee, s), "none", breakGlass: true, purpose: "BTG", @case: id);
                    break;
                case "break-glass-repeated":
                    var ed = Pick(x => x.Unit == "emergency" && x.ShiftStart != 23);
                    var start = At(day, ed.ShiftStart + 1);
                    for (var i = 0; i < 4; i++)
                        Add(ed, start.AddMinutes(40 * i), PickPatient(p => !p.Vip && !p.Deceased && !p.Employee, ed), "none", breakGlass: true, purpose: "ETREAT", emergency: true, @case: id);
                    s = ed;
                    break;
                case "bulk-look-up":
                    var clerk = Pick(x => x.Unit == "records");
                    var from = At(day, clerk.ShiftStart + 2);
                    var episodes = _census.Values.SelectMany(c => c).Select(c => c.Patient).Distinct().ToList();
                    var reads = 0;
                    foreach (var p in _patients.Where(p => !p.Vip && !p.Deceased && !p.Employee).OrderBy(_ => _random.Next()).Take(60))
                        Add(clerk, from.AddSeconds(40 * reads++), p, "episode-of-care", @case: id);
                    s = clerk;
                    break;
                case "unusual-hour":
                    var dayNurse = Pick(x => x.ShiftStart == 7 && x.Role == "nurse");
                    var night = At(day, 2 + _random.NextDouble());
                    var ward = _census[dayNurse.Unit];
                    for (var i = 0; i < 3; i++)
                        Add(dayNurse, night.AddMinutes(7 * i), ward[_random.Next(ward.Count)].Patient, "encounter", @case: id);
                    s = dayNurse;
                    break;
                case "disabled-account":
                    Add(s, t, _census[s.Unit][0].Patient, "encounter", status: "disabled", @case: id);
                    break;
                case "expired-account":
                    Add(s, t, _census[s.Unit][0].Patient, "encounter", status: "expired", @case: id);
                    break;
                case "partner-account":
                    var vendor = new Staff("vendor.support", "it", "Vendor", 0, 9, 8, "partner", 99, "NHI-0");
                    Add(vendor, t, _census[s.Unit][0].Patient, "none", roles: "partner", @case: id);
                    Add(vendor, t.AddMinutes(3), _census[s.Unit][1 % _census[s.Unit].Count].Patient, "none", roles: "partner", @case: id);
                    s = vendor;
                    break;
                case "unusual-establishment":
                    Add(s, t, _census[s.Unit][0].Patient, "encounter", organization: _o.OtherEstablishment, @case: id);
                    break;
                case "unusual-address":
                    Add(s, t, _census[s.Unit][0].Patient, "encounter", address: "203.0.113." + _random.Next(2, 250), @case: id);
                    break;
                case "name-fragment-searches":
                    for (var i = 0; i < 4; i++)
                        Search(s, t.AddMinutes(6 * i), nameFragment: true, care: "none", @case: id);
                    break;
                default:
                    throw new InvalidOperationException($"unknown kind {kind}");
            }
            _cases.Add(new PlantedCase(id, kind, s.User, t));
        }
        _ = firstCase;
    }

    private void Search(Staff s, DateTime time, bool nameFragment, string care, int? @case = null)
    {
        var e = Base(s, time, "search", null, care, status: "active", roles: s.Role == "partner" ? "partner" : "clinician", organization: _o.Establishment, address: null);
        // The ledger names the parameters only, never their values; without a care context it names no relationship.
        e["vigie.search.parameters"] = nameFragment ? "family:contains,birthdate" : "identifier";
        if (care == "none")
            e.Remove("vigie.privacy.care_relationship");
        Emit(s, time, e, @case);
    }

    private void Add(Staff s, DateTime time, Patient p, string care, bool breakGlass = false, string purpose = "TREAT", bool emergency = false,
        bool sameFamily = false, bool sameAddress = false, bool self = false, string status = "active", string roles = "clinician",
        string? organization = null, string? address = null, int? @case = null)
    {
        var e = Base(s, time, "read", p, care, status, roles, organization ?? _o.Establishment, address);
        e["vigie.access.break_glass"] = breakGlass;
        e["vigie.access.purpose"] = purpose;
        e["vigie.access.emergency"] = emergency;
        e["vigie.privacy.same_family_name"] = sameFamily || p.Family == s.Family;
        e["vigie.privacy.same_address"] = sameAddress || p.Address == s.Address;
        e["vigie.privacy.patient_vip"] = p.Vip;
        e["vigie.privacy.patient_employee"] = p.Employee;
        e["vigie.privacy.patient_deceased"] = p.Deceased;
        e["vigie.privacy.self_access"] = self || p.Id == s.PatientId;
        if (breakGlass)
        {
            // The grant comes first, as the gateway records it, then the read made under it.
            var grant = new Dictionary<string, object?>(e) { ["event.action"] = "break-glass", ["vigie.access.justification"] = "patient unable to consent" };
            Emit(s, time.AddSeconds(-20), grant, @case);
        }
        Emit(s, time, e, @case);
    }

    private Dictionary<string, object?> Base(Staff s, DateTime time, string action, Patient? p, string care, string status, string roles, string organization, string? address)
    {
        var e = new Dictionary<string, object?>
        {
            ["@timestamp"] = time.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            ["event.dataset"] = RecordAccess.Dataset,
            ["event.action"] = action,
            ["event.outcome"] = "success",
            ["user.name"] = s.User,
            ["user.roles"] = new[] { roles },
            ["vigie.user.profession"] = s.Role,
            ["vigie.user.status"] = status,
            ["organization.id"] = organization,
            ["source.ip"] = address ?? $"10.20.{s.Subnet}.{10 + _staff.IndexOf(s) % 200}",
            ["vigie.access.decision"] = "permit",
            ["vigie.privacy.care_relationship"] = care,
        };
        if (p is not null)
        {
            e["vigie.patient.id"] = p.Id;
            e["vigie.patient.establishment"] = _o.Establishment;
        }
        return e;
    }

    private void Emit(Staff s, DateTime time, Dictionary<string, object?> e, int? @case)
    {
        var id = "sim-" + (++_next).ToString(CultureInfo.InvariantCulture);
        e["event.id"] = id;
        _events.Add(new Event(id, time, s.User, JsonSerializer.Serialize(e), @case));
    }
}

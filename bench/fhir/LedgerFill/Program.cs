// Usage: LedgerFill DATA_DIR COUNT — appends COUNT entries shaped like real record reads to the ledger of the
// SQLite store in DATA_DIR (migrated first with `vigie db migrate`), chained exactly as Vigie chains them, then
// signs a checkpoint with the store's ledger key.
using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Vigie.Core.Audit;

var data = args[0];
var count = long.Parse(args[1], CultureInfo.InvariantCulture);
var signer = new LedgerSigner(Path.Combine(data, "keys"));
using var connection = new SqliteConnection($"Data Source={Path.Combine(data, "vigie.db")}");
connection.Open();
using (var pragma = connection.CreateCommand())
{
    pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;";
    pragma.ExecuteNonQuery();
}
var watch = Stopwatch.StartNew();
var prev = LedgerCanonical.Genesis;
var time = (DateTime.UtcNow.AddDays(-30) - DateTime.UnixEpoch).Ticks / 10;
const int Batch = 100_000;
for (long seq = 1; seq <= count;)
{
    using var tx = connection.BeginTransaction();
    using var insert = connection.CreateCommand();
    insert.Transaction = tx;
    insert.CommandText = "INSERT INTO audit_ledger (seq, time_us, request_id, client_address, user_id, user_name, user_roles, user_establishment, user_profession, " +
        "patient_id, patient_ref, patient_establishment, action, resource_type, resource_id, query, status, decision, reasons, purpose, break_glass, justification, " +
        "care_relationship, privacy_flags, policy_version, prev_hash, hash, forwarded) VALUES " +
        "($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25,$26,$27,0)";
    var p = new SqliteParameter[27];
    for (var i = 0; i < p.Length; i++)
    {
        p[i] = insert.CreateParameter();
        p[i].ParameterName = "$" + (i + 1).ToString(CultureInfo.InvariantCulture);
        insert.Parameters.Add(p[i]);
    }
    insert.Prepare();
    for (var n = 0; n < Batch && seq <= count; n++, seq++)
    {
        var user = (int)(seq % 500);
        var e = new LedgerEntry
        {
            Seq = seq, TimeUs = time + seq * 250, RequestId = $"0HN{seq:X10}", ClientAddress = $"10.1.{user % 250}.{seq % 250}",
            UserId = $"0193a5c1-{user:D4}-7000-8000-000000000000", UserName = $"dr.user{user}", UserRoles = "clinician",
            UserEstablishment = "CHU-RABAT", UserProfession = "physician", PatientId = $"5ed72dfe-4616-4e32-a318-{seq % 100000:D12}",
            PatientRef = "pseudo:6f1c0a9e2b7d4c8a91e0f3a7b5c2d4e6", PatientEstablishment = "CHU-RABAT", Action = seq % 3 == 0 ? "search" : "read",
            ResourceType = seq % 3 == 0 ? "Observation" : "Patient", ResourceId = seq % 3 == 0 ? null : $"5ed72dfe-4616-4e32-a318-{seq % 100000:D12}",
            Query = seq % 3 == 0 ? "patient,code" : null, Status = 200, Decision = "permit",
            Reasons = "a care relationship links the patient to you or your establishment", Purpose = "TREAT", BreakGlass = false,
            CareRelationship = "encounter", PrivacyFlags = 32, PolicyVersion = "2026.11-1#care-relationship", PrevHash = prev, Hash = [],
        };
        e.Hash = LedgerCanonical.Hash(prev, e);
        object?[] values = [e.Seq, e.TimeUs, e.RequestId, e.ClientAddress, e.UserId, e.UserName, e.UserRoles, e.UserEstablishment, e.UserProfession,
            e.PatientId, e.PatientRef, e.PatientEstablishment, e.Action, e.ResourceType, e.ResourceId, e.Query, e.Status, e.Decision, e.Reasons,
            e.Purpose, e.BreakGlass, e.Justification, e.CareRelationship, e.PrivacyFlags, e.PolicyVersion, e.PrevHash, e.Hash];
        for (var i = 0; i < values.Length; i++)
            p[i].Value = values[i] ?? DBNull.Value;
        insert.ExecuteNonQuery();
        prev = e.Hash;
    }
    tx.Commit();
}
using (var cp = connection.CreateCommand())
{
    var signedAt = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks / 10;
    cp.CommandText = "INSERT INTO audit_checkpoints (seq, hash, previous_seq, signed_at_us, key_id, signature) VALUES ($s, $h, 0, $t, $k, $g)";
    cp.Parameters.AddWithValue("$s", count);
    cp.Parameters.AddWithValue("$h", prev);
    cp.Parameters.AddWithValue("$t", signedAt);
    cp.Parameters.AddWithValue("$k", signer.KeyId);
    cp.Parameters.AddWithValue("$g", signer.Sign(LedgerCanonical.CheckpointPayload(count, prev, 0, signedAt)));
    cp.ExecuteNonQuery();
}
Console.WriteLine($"{count} entries written in {watch.Elapsed.TotalSeconds:0.0} s");

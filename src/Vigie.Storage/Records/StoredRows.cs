using System.Data.Common;
using Vigie.Core.Records;

namespace Vigie.Storage.Records;

/// <summary>The columns of a current resource both stores' readers select, and the row they make.</summary>
internal static class StoredRows
{
    public const string Columns = "version_id, last_updated, deleted, patient_id, establishment_id, confidentiality, sensitivity, key_id, content";

    /// <summary>A row whose <see cref="Columns"/> start at <paramref name="first"/>.</summary>
    public static StoredResource Read(DbDataReader r, string type, string id, int first) => new()
    {
        ResourceType = type,
        Id = id,
        VersionId = r.GetInt32(first),
        // SQLite keeps the EF model's UTC text and gives it back unspecified; PostgreSQL's timestamptz comes back UTC.
        LastUpdated = DateTime.SpecifyKind(r.GetDateTime(first + 1), DateTimeKind.Utc),
        Deleted = r.GetBoolean(first + 2),
        PatientId = r.IsDBNull(first + 3) ? null : r.GetString(first + 3),
        EstablishmentId = r.IsDBNull(first + 4) ? null : r.GetGuid(first + 4),
        Confidentiality = r.GetString(first + 5),
        Sensitivity = r.IsDBNull(first + 6) ? null : r.GetString(first + 6),
        KeyId = r.GetInt32(first + 7),
        Content = r.IsDBNull(first + 8) ? null : r.GetFieldValue<byte[]>(first + 8),
    };
}

using System.Text.Json;
using Vigie.Core.Audit;
using Vigie.Core.Events;

using Vigie.Records.Tests.Support;

namespace Vigie.Records.Tests;

/// <summary>
/// The outbox builds each entry's event directly, without writing its ECS JSON and parsing it back: detection and
/// privacy monitoring must see exactly the fields, values and order that the ECS rendering gives, for every shape
/// of entry (permitted, refused, break-the-glass, searches, entries without a user or a patient).
/// </summary>
public sealed class LedgerEventShapeTests
{
    public static TheoryData<string> Shapes => ["read", "refused", "break-glass", "search", "anonymous", "merge", "empty-lists"];

    private static LedgerEntry Entry(string shape)
    {
        var e = new LedgerEntry
        {
            Seq = 4_200_017,
            TimeUs = 1_795_000_123_456_789,
            RequestId = "0HN8:00000002",
            ClientAddress = "10.1.2.3",
            UserId = "b7c1e0a4-1111-4222-8333-944455556666",
            UserName = "dr.amrani",
            UserRoles = "clinician,auditor",
            UserEstablishment = "CHU-A",
            UserProfession = "physician",
            PatientId = "p-17",
            PatientRef = "pseudo:4f1c",
            PatientEstablishment = "CHU-A",
            Action = "read",
            ResourceType = "Patient",
            ResourceId = "p-17",
            Status = 200,
            Decision = "permit",
            Reasons = "care relationship: encounter; consent: none",
            Purpose = "TREAT",
            CareRelationship = "encounter",
            PrivacyFlags = (int)(PrivacyFlags.SameFamilyName | PrivacyFlags.SameEstablishment | PrivacyFlags.PatientVip),
            PolicyVersion = "policy-7",
            PrevHash = new byte[32],
            Hash = new byte[32],
        };
        switch (shape)
        {
            case "refused":
                e.Decision = "deny";
                e.Status = 403;
                e.CareRelationship = null;
                e.PrivacyFlags = (int)PrivacyFlags.SelfAccess;
                break;
            case "break-glass":
                e.Action = "break-glass";
                e.BreakGlass = true;
                e.Justification = "patient unconscious in the emergency room";
                e.PrivacyFlags = (int)(PrivacyFlags.PatientDeceased | PrivacyFlags.PatientEmployee | PrivacyFlags.SameAddress);
                break;
            case "search":
                e.Action = "search";
                e.ResourceType = "Observation";
                e.ResourceId = null;
                e.Query = "patient=p-17&_count=10";
                break;
            case "anonymous":
                e.UserId = null;
                e.UserName = null;
                e.UserRoles = null;
                e.UserEstablishment = null;
                e.UserProfession = null;
                e.RequestId = null;
                e.ClientAddress = null;
                e.Purpose = null;
                e.PolicyVersion = null;
                e.Status = 401;
                e.Decision = "deny";
                break;
            case "merge":
                e.Action = "merge";
                e.PatientId = null;
                e.ResourceType = null;
                e.ResourceId = null;
                break;
            case "empty-lists":
                e.UserName = null;
                e.UserRoles = "";
                e.Reasons = null;
                e.PatientRef = null;
                e.PatientId = null;
                break;
        }
        return e;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void The_direct_event_equals_the_ECS_rendering_read_back(string shape)
    {
        var entry = Entry(shape);
        using var json = JsonDocument.Parse(LedgerEcsJson.ToEcs(entry));
        var expected = new EventDocument();
        expected.AddFlattened(json.RootElement);

        var actual = LedgerEvents.ToEvent(entry);

        actual.Timestamp.ShouldBe(entry.Time);
        Render(actual).ShouldBe(Render(expected));
        actual.ToJson().ShouldBe(expected.ToJson());
    }

    // Name, .NET type and value of every field in order: a long stored where the parser gives a long, a list where it gives a list.
    private static List<string> Render(EventDocument d)
    {
        var lines = new List<string>();
        foreach (var (name, value) in d.Fields)
        {
            var text = value switch
            {
                List<object?> list => "[" + string.Join("|", list.Select(v => $"{v?.GetType().Name}:{v}")) + "]",
                _ => $"{value?.GetType().Name}:{value}",
            };
            lines.Add($"{name}={text}");
        }
        return lines;
    }
}

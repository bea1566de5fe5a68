using Vigie.Core.Patients;

namespace Vigie.Records.Tests;

public sealed class NationalHealthIdTests
{
    [Fact]
    public void Issued_identifiers_have_sixteen_digits_and_valid_check_digits()
    {
        for (var i = 0; i < 1000; i++)
        {
            var id = NationalHealthId.NewId();
            id.Length.ShouldBe(16);
            NationalHealthId.IsValid(id).ShouldBeTrue(id);
            NationalHealthId.IsValid(NationalHealthId.Format(id)).ShouldBeTrue("the grouped form is accepted");
        }
    }

    [Fact]
    public void Every_single_digit_error_and_every_adjacent_swap_is_caught()
    {
        for (var n = 0; n < 200; n++)
        {
            var id = NationalHealthId.NewId();
            for (var position = 0; position < id.Length; position++)
            {
                for (var digit = '0'; digit <= '9'; digit++)
                {
                    if (digit == id[position])
                        continue;
                    var typo = id[..position] + digit + id[(position + 1)..];
                    NationalHealthId.IsValid(typo).ShouldBeFalse($"{id} → {typo}");
                }
                if (position + 1 < id.Length && id[position] != id[position + 1])
                {
                    var swapped = id[..position] + id[position + 1] + id[position] + id[(position + 2)..];
                    NationalHealthId.IsValid(swapped).ShouldBeFalse($"{id} → {swapped}");
                }
            }
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("123456789012345")]
    [InlineData("12345678901234567")]
    [InlineData("1234abcd90123456")]
    public void Malformed_identifiers_are_invalid(string? text) => NationalHealthId.IsValid(text).ShouldBeFalse();

    [Fact]
    public void Trust_levels_combine_registry_and_document_into_qualified()
    {
        IdentityTrust.Provisional.With(IdentityTrust.Retrieved).ShouldBe(IdentityTrust.Retrieved);
        IdentityTrust.Retrieved.With(IdentityTrust.Validated).ShouldBe(IdentityTrust.Qualified);
        IdentityTrust.Validated.With(IdentityTrust.Retrieved).ShouldBe(IdentityTrust.Qualified);
        IdentityTrust.Validated.With(IdentityTrust.Validated).ShouldBe(IdentityTrust.Validated);
        IdentityTrust.Qualified.With(IdentityTrust.Provisional).ShouldBe(IdentityTrust.Qualified);
    }
}

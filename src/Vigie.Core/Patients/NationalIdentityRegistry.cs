using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Vigie.Core.Patients;

/// <summary>An identity as the national identity registry holds it.</summary>
public sealed record RegistryIdentity(
    [property: JsonPropertyName("card_number")] string CardNumber,
    [property: JsonPropertyName("family")] string Family,
    [property: JsonPropertyName("given")] string Given,
    [property: JsonPropertyName("birth_date")] string BirthDate,
    [property: JsonPropertyName("sex")] string? Sex = null,
    [property: JsonPropertyName("birth_place")] string? BirthPlace = null);

/// <summary>The national identity registry, looked up by identity card number.</summary>
public interface INationalIdentityRegistry
{
    /// <summary>The registry's identity for a card number, or null when the registry does not know it.</summary>
    Task<RegistryIdentity?> FindAsync(string cardNumber, CancellationToken ct);
}

/// <summary>
/// A registry kept in a JSON file (an array of identities with <c>card_number, family, given, birth_date, sex,
/// birth_place</c>): for tests, the demo, and establishments without a link to the national registry.
/// </summary>
public sealed class LocalIdentityRegistry(string file) : INationalIdentityRegistry
{
    public async Task<RegistryIdentity?> FindAsync(string cardNumber, CancellationToken ct)
    {
        if (!File.Exists(file))
            throw VigieException.Invalid($"identity registry file '{file}' does not exist");
        List<RegistryIdentity>? all;
        try
        {
            await using var stream = File.OpenRead(file);
            all = await JsonSerializer.DeserializeAsync<List<RegistryIdentity>>(stream, cancellationToken: ct);
        }
        catch (JsonException e)
        {
            throw VigieException.Invalid($"identity registry file '{file}' is not a JSON array of identities: {e.Message}");
        }
        return all?.FirstOrDefault(i => string.Equals(i.CardNumber, cardNumber, StringComparison.OrdinalIgnoreCase));
    }
}

/// <summary>
/// The HTTP adapter: <c>GET {endpoint}/identities/{card number}</c> answers 200 with the identity as JSON (the
/// fields of <see cref="RegistryIdentity"/>) or 404 when unknown; anything else is reported as the registry being
/// unavailable.
/// </summary>
public sealed class HttpIdentityRegistry(HttpClient http, Uri endpoint) : INationalIdentityRegistry
{
    public async Task<RegistryIdentity?> FindAsync(string cardNumber, CancellationToken ct)
    {
        var url = new Uri(endpoint, $"identities/{Uri.EscapeDataString(cardNumber)}");
        HttpResponseMessage response;
        try
        {
            response = await http.GetAsync(url, ct);
        }
        catch (HttpRequestException e)
        {
            throw VigieException.Invalid($"the national identity registry at {endpoint} cannot be reached: {e.Message}");
        }
        using (response)
        {
            if (response.StatusCode == HttpStatusCode.NotFound)
                return null;
            if (!response.IsSuccessStatusCode)
                throw VigieException.Invalid($"the national identity registry at {endpoint} answered {(int)response.StatusCode}");
            try
            {
                return await response.Content.ReadFromJsonAsync<RegistryIdentity>(ct);
            }
            catch (JsonException e)
            {
                throw VigieException.Invalid($"the national identity registry at {endpoint} sent an answer that is not an identity: {e.Message}");
            }
        }
    }
}

using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Vigie.Core;
using Vigie.Core.Incidents;
using Vigie.Server.Hosting;
using Vigie.Server.Identity;
using Vigie.Server.WebConsole;

namespace Vigie.Server.Pages.Incidents;

/// <summary>
/// Receives an evidence file from the incident page (a multipart form). A page of its own so that only this form
/// accepts large bodies; the locker refuses files above its own limit (evidence_max_bytes) with a clear reason.
/// </summary>
[Authorize(AuthenticationSchemes = VigieApp.ConsoleScheme, Roles = ConsoleRoles.Security)]
[RequestSizeLimit(MaxBody)]
[RequestFormLimits(MultipartBodyLengthLimit = MaxBody)]
internal sealed class EvidenceUploadModel(CurrentUser current, EvidenceLocker locker) : ConsolePage
{
    /// <summary>The largest upload read at all: the default evidence limit (25 MiB) and room for the form around it.</summary>
    public const long MaxBody = 26L * 1024 * 1024;

    public long Id { get; private set; }

    public IActionResult OnGet(long id) => Redirect($"/incidents/{id}");

    public async Task<IActionResult> OnPostAsync(long id, IFormFile? file, string? description, CancellationToken ct)
    {
        Id = id;
        if (file is null || file.Length == 0)
        {
            Problem = T("Choose a file to add.");
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        if (await TryAsync(async () =>
            {
                await using var stream = file.OpenReadStream();
                var visibility = IncidentVisibility.For(await current.ScopeAsync(ct), current.Roles);
                await locker.AddAsync(id, Path.GetFileName(file.FileName), string.IsNullOrEmpty(file.ContentType) ? "application/octet-stream" : file.ContentType,
                    string.IsNullOrWhiteSpace(description) ? null : description, stream, current.Actor, visibility, ct);
            }))
            return Redirect($"/incidents/{id}");
        return Page();
    }
}

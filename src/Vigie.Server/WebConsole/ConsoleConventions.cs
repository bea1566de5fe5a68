using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.ApplicationModels;
using Vigie.Server.Hosting;

namespace Vigie.Server.WebConsole;

/// <summary>
/// Gives each console page the same explicit access metadata as API endpoints, read from the page's own
/// [Authorize] or [AllowAnonymous]; a page with neither gets none, and the endpoint test fails.
/// </summary>
internal sealed class ConsoleAccessConvention : IPageApplicationModelConvention
{
    public void Apply(PageApplicationModel model)
    {
        var attributes = model.HandlerTypeAttributes;
        if (attributes.OfType<IAllowAnonymous>().Any())
        {
            model.EndpointMetadata.Add(EndpointAccess.Public);
            return;
        }
        var authorize = attributes.OfType<AuthorizeAttribute>().FirstOrDefault();
        if (authorize is not null)
        {
            var roles = authorize.Roles?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
            model.EndpointMetadata.Add(new EndpointAccess(roles.Length == 0 ? "any signed-in user (console)" : $"console roles: {authorize.Roles}", roles));
        }
    }
}

using System.DirectoryServices.Protocols;
using System.Net;
using System.Text;
using Microsoft.Extensions.Options;
using Vigie.Core.Identity;

namespace Vigie.Server.Identity;

/// <summary>Directory sign-in over LDAP (OpenLDAP, Active Directory) with System.DirectoryServices.Protocols.</summary>
internal sealed partial class LdapDirectory(IOptions<LdapOptions> options, ILogger<LdapDirectory> logger) : IDirectoryAuthenticator
{
    private readonly LdapOptions _options = options.Value;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(_options.Url) && !string.IsNullOrWhiteSpace(_options.BaseDn);

    public async Task<DirectoryAccount?> AuthenticateAsync(string username, string password, CancellationToken ct)
    {
        if (!IsConfigured || string.IsNullOrEmpty(password))
            return null;
        try
        {
            return await Task.Run(() => Authenticate(username, password), ct);
        }
        catch (LdapException e)
        {
            LogDirectoryError(logger, e.ErrorCode, e.Message);
            return null;
        }
        catch (DirectoryOperationException e)
        {
            LogDirectoryError(logger, (int)(e.Response?.ResultCode ?? 0), e.Message);
            return null;
        }
    }

    private DirectoryAccount? Authenticate(string username, string password)
    {
        using var service = Connect();
        if (!string.IsNullOrEmpty(_options.BindDn))
            service.Bind(new NetworkCredential(_options.BindDn, _options.BindPassword));
        else
            service.Bind(new NetworkCredential("", ""));

        var filter = string.Format(System.Globalization.CultureInfo.InvariantCulture, _options.UserFilter, EscapeFilter(username));
        var search = new SearchRequest(_options.BaseDn, filter, SearchScope.Subtree,
            _options.DisplayNameAttribute, _options.EstablishmentAttribute, _options.ProfessionAttribute);
        var response = (SearchResponse)service.SendRequest(search);
        if (response.Entries.Count != 1)
            return null;
        var entry = response.Entries[0];

        // The password is proved by binding as the person; a wrong one throws LdapException (49).
        using (var personal = Connect())
        {
            try
            {
                personal.Bind(new NetworkCredential(entry.DistinguishedName, password));
            }
            catch (LdapException e) when (e.ErrorCode == 49)
            {
                return null;
            }
        }

        var groups = new List<string>();
        var groupSearch = new SearchRequest(_options.GroupBaseDn ?? _options.BaseDn,
            string.Format(System.Globalization.CultureInfo.InvariantCulture, _options.GroupFilter, EscapeFilter(entry.DistinguishedName)),
            SearchScope.Subtree, "cn");
        foreach (SearchResultEntry group in ((SearchResponse)service.SendRequest(groupSearch)).Entries)
        {
            if (First(group, "cn") is { } cn)
                groups.Add(cn);
        }
        var roles = new List<Role>();
        foreach (var (roleName, groupName) in _options.RoleGroups)
        {
            if (Roles.TryParse(roleName, out var role) && groups.Contains(groupName, StringComparer.OrdinalIgnoreCase))
                roles.Add(role);
        }
        return new DirectoryAccount(username, First(entry, _options.DisplayNameAttribute), roles,
            First(entry, _options.EstablishmentAttribute), First(entry, _options.ProfessionAttribute));
    }

    private LdapConnection Connect()
    {
        var uri = new Uri(_options.Url!);
        var identifier = new LdapDirectoryIdentifier(uri.Host, uri.IsDefaultPort || uri.Port <= 0 ? (uri.Scheme == "ldaps" ? 636 : 389) : uri.Port);
        var connection = new LdapConnection(identifier)
        {
            AuthType = AuthType.Basic,
            Timeout = TimeSpan.FromSeconds(_options.TimeoutSeconds),
        };
        connection.SessionOptions.ProtocolVersion = 3;
        if (uri.Scheme.Equals("ldaps", StringComparison.OrdinalIgnoreCase))
            connection.SessionOptions.SecureSocketLayer = true;
        else if (_options.StartTls)
            connection.SessionOptions.StartTransportLayerSecurity(null);
        return connection;
    }

    private static string? First(SearchResultEntry entry, string attribute)
    {
        var values = entry.Attributes[attribute];
        return values is { Count: > 0 } ? values[0]?.ToString() : null;
    }

    /// <summary>RFC 4515 escaping, so a username cannot change the meaning of a filter.</summary>
    public static string EscapeFilter(string value)
    {
        var sb = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\': sb.Append(@"\5c"); break;
                case '*': sb.Append(@"\2a"); break;
                case '(': sb.Append(@"\28"); break;
                case ')': sb.Append(@"\29"); break;
                case '\0': sb.Append(@"\00"); break;
                default: sb.Append(c); break;
            }
        }
        return sb.ToString();
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Directory sign-in failed with LDAP error {Code}: {Reason}")]
    private static partial void LogDirectoryError(ILogger logger, int code, string reason);
}

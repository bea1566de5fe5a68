using Microsoft.Extensions.Configuration;

namespace Vigie.Server.Identity;

/// <summary>
/// Directory sign-in settings, configuration section <c>ldap</c> (JSON file or <c>VIGIE_LDAP__URL</c>, …).
/// Vigie binds with a service account, finds the person's entry, binds as that entry with the
/// password given, then maps the person's groups to Vigie roles.
/// </summary>
internal sealed class LdapOptions
{
    /// <summary><c>ldap://host:389</c> or <c>ldaps://host:636</c>; directory sign-in is off when empty.</summary>
    [ConfigurationKeyName("url")]
    public string? Url { get; set; }
    [ConfigurationKeyName("bind_dn")]
    public string? BindDn { get; set; }
    [ConfigurationKeyName("bind_password")]
    public string? BindPassword { get; set; }
    [ConfigurationKeyName("base_dn")]
    public string? BaseDn { get; set; }
    /// <summary>Filter finding a person; <c>{0}</c> is the escaped username.</summary>
    [ConfigurationKeyName("user_filter")]
    public string UserFilter { get; set; } = "(&(objectClass=inetOrgPerson)(uid={0}))";
    /// <summary>Where groups are; defaults to <see cref="BaseDn"/>.</summary>
    [ConfigurationKeyName("group_base_dn")]
    public string? GroupBaseDn { get; set; }
    /// <summary>Filter finding a person's groups; <c>{0}</c> is the escaped DN of the person.</summary>
    [ConfigurationKeyName("group_filter")]
    public string GroupFilter { get; set; } = "(&(objectClass=groupOfNames)(member={0}))";
    /// <summary>Vigie role → group common name, e.g. <c>{"clinician": "vigie-clinicians"}</c>.</summary>
    [ConfigurationKeyName("role_groups")]
    public Dictionary<string, string> RoleGroups { get; set; } = [];
    /// <summary>Attribute of the person holding their establishment's code.</summary>
    [ConfigurationKeyName("establishment_attribute")]
    public string EstablishmentAttribute { get; set; } = "departmentNumber";
    [ConfigurationKeyName("profession_attribute")]
    public string ProfessionAttribute { get; set; } = "title";
    [ConfigurationKeyName("display_name_attribute")]
    public string DisplayNameAttribute { get; set; } = "cn";
    [ConfigurationKeyName("start_tls")]
    public bool StartTls { get; set; }
    [ConfigurationKeyName("timeout_seconds")]
    public int TimeoutSeconds { get; set; } = 10;
}

namespace Vigie.Core.Identity;

/// <summary>Where a user's password is checked.</summary>
public enum UserSource
{
    Local = 1,
    Directory = 2,
}

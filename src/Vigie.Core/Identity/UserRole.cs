namespace Vigie.Core.Identity;

public sealed class UserRole
{
    public Guid UserId { get; set; }
    public Role Role { get; set; }
}

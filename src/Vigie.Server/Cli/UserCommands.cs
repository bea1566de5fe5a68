using System.CommandLine;
using Vigie.Core.Establishments;
using Vigie.Core.Identity;
using Vigie.Core.SecurityEvents;
using Vigie.Server.Api;

namespace Vigie.Server.Cli;

internal static class UserCommands
{
    public static Command Create()
    {
        var command = new Command("users", "Add, list, disable users and reset their passwords.");
        command.Subcommands.Add(Add());
        command.Subcommands.Add(List());
        command.Subcommands.Add(SetDisabled(true));
        command.Subcommands.Add(SetDisabled(false));
        command.Subcommands.Add(ResetPassword());
        command.Subcommands.Add(SetRoles());
        return command;
    }

    private static Option<string?> Password() => new("--password") { Description = "The password (at least 12 characters). Prefer --password-stdin: flags are visible to other local users.", HelpName = "P" };

    private static Option<bool> PasswordStdin() => new("--password-stdin") { Description = "Read the password from the first line of standard input." };

    private static string ReadPassword(ParseResult parse, Option<string?> password, Option<bool> stdin)
    {
        if (parse.GetValue(stdin))
            return Console.In.ReadLine() ?? throw new CliException("--password-stdin: standard input is empty", ExitCodes.Usage);
        return parse.GetValue(password) ?? throw new CliException("a password is required: --password P or --password-stdin", ExitCodes.Usage);
    }

    private static Option<string[]> RolesOption() => new("--role")
    {
        Required = true,
        Description = $"A role, repeatable: {string.Join(", ", Roles.All)}.",
        HelpName = "ROLE",
        AllowMultipleArgumentsPerToken = false,
    };

    private static Command Add()
    {
        var username = new Option<string>("--username") { Required = true, Description = "Sign-in name.", HelpName = "U" };
        var password = Password();
        var stdin = PasswordStdin();
        var roles = RolesOption();
        var establishment = new Option<string?>("--establishment") { Description = "Code of the user's establishment (default: the national centre).", HelpName = "CODE" };
        var profession = new Option<string?>("--profession") { Description = "Profession (physician, nurse, pharmacist, …).", HelpName = "P" };
        var displayName = new Option<string?>("--display-name") { Description = "Name shown in the console.", HelpName = "NAME" };
        var practitioner = new Option<string?>("--practitioner") { Description = "For clinicians: the id of their FHIR Practitioner.", HelpName = "ID" };
        var patient = new Option<string?>("--patient") { Description = "For patients: the id of their FHIR Patient.", HelpName = "ID" };
        var expires = new Option<DateTime?>("--expires") { Description = "When the account stops working (partners), ISO 8601.", HelpName = "TIME" };
        var command = new Command("add", "Add a local user.") { username, password, stdin, roles, establishment, profession, displayName, practitioner, patient, expires };
        var store = StoreOptions.AddTo(command);
        store.SetAction(command, async (parse, sp, ct) =>
        {
            var admin = sp.GetRequiredService<UserAdministration>();
            var user = await admin.AddAsync(new UserAdministration.NewUser(
                parse.GetValue(username)!, ReadPassword(parse, password, stdin), parse.GetValue(roles) ?? [],
                parse.GetValue(establishment), parse.GetValue(profession), parse.GetValue(displayName),
                parse.GetValue(practitioner), parse.GetValue(patient),
                parse.GetValue(expires) is { } x ? x.ToUniversalTime() : null), Actor.CommandLine(), AccessScope.Everything, ct);
            Console.WriteLine($"Added user {user.Username} ({string.Join(", ", user.Roles.Select(r => r.Role.ToName()))}).");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command List()
    {
        var output = OutputFormat.Create();
        var command = new Command("list", "List users.") { output };
        var store = StoreOptions.AddTo(command);
        store.SetAction(command, async (parse, sp, ct) =>
        {
            var users = await sp.GetRequiredService<UserAdministration>().ListAsync(AccessScope.Everything, ct);
            var all = (await sp.GetRequiredService<EstablishmentRegistry>().ListAsync(AccessScope.Everything, ct)).ToDictionary(e => e.Id);
            var views = users.Select(u => UserView.From(u, all)).ToList();
            OutputFormat.Write(parse, output, views, ["username", "roles", "establishment", "source", "state", "mfa", "last sign-in"],
                views.Select(v => (IReadOnlyList<string?>)[v.Username, string.Join(",", v.Roles), v.Establishment, v.Source,
                    v.Disabled ? "disabled" : "active", v.Mfa ? "totp" : "-", v.LastSignInAt]));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command SetDisabled(bool disabled)
    {
        var username = new Argument<string>("username") { Description = "The user." };
        var command = new Command(disabled ? "disable" : "enable", disabled ? "Disable a user: sign-ins, sessions and tokens stop working." : "Enable a disabled user.") { username };
        var store = StoreOptions.AddTo(command);
        store.SetAction(command, async (parse, sp, ct) =>
        {
            var user = await sp.GetRequiredService<UserAdministration>().SetDisabledAsync(parse.GetValue(username)!, disabled, Actor.CommandLine(), AccessScope.Everything, ct);
            Console.WriteLine($"User {user.Username} is {(user.Disabled ? "disabled" : "enabled")}.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command ResetPassword()
    {
        var username = new Argument<string>("username") { Description = "The user." };
        var password = Password();
        var stdin = PasswordStdin();
        var command = new Command("reset-password", "Set a new password for a local user; also clears a lockout.") { username, password, stdin };
        var store = StoreOptions.AddTo(command);
        store.SetAction(command, async (parse, sp, ct) =>
        {
            var user = await sp.GetRequiredService<UserAdministration>().ResetPasswordAsync(parse.GetValue(username)!,
                ReadPassword(parse, password, stdin), Actor.CommandLine(), AccessScope.Everything, ct);
            Console.WriteLine($"Password of {user.Username} reset.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command SetRoles()
    {
        var username = new Argument<string>("username") { Description = "The user." };
        var roles = RolesOption();
        var command = new Command("set-roles", "Replace a user's roles.") { username, roles };
        var store = StoreOptions.AddTo(command);
        store.SetAction(command, async (parse, sp, ct) =>
        {
            var user = await sp.GetRequiredService<UserAdministration>().SetRolesAsync(parse.GetValue(username)!, parse.GetValue(roles) ?? [], Actor.CommandLine(), AccessScope.Everything, ct);
            Console.WriteLine($"User {user.Username} now has: {string.Join(", ", user.Roles.Select(r => r.Role.ToName()))}.");
            return ExitCodes.Ok;
        });
        return command;
    }
}

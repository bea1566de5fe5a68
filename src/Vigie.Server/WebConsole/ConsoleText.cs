using System.Collections.Frozen;

namespace Vigie.Server.WebConsole;

/// <summary>
/// The console's words in French (the default) and English. Keys are the English text, so a missing
/// French entry shows English rather than a key.
/// </summary>
internal static class ConsoleText
{
    public const string French = "fr";
    public const string English = "en";
    public const string CookieName = "vigie.lang";

    private static readonly FrozenDictionary<string, string> Fr = new Dictionary<string, string>
    {
        ["Sign in"] = "Connexion",
        ["Username"] = "Identifiant",
        ["Password"] = "Mot de passe",
        ["Code"] = "Code",
        ["Verification code"] = "Code de vérification",
        ["Enter the 6-digit code of your authenticator app, or a recovery code."] = "Saisissez le code à 6 chiffres de votre application d'authentification, ou un code de secours.",
        ["Verify"] = "Vérifier",
        ["Sign out"] = "Déconnexion",
        ["Overview"] = "Vue d'ensemble",
        ["Establishments"] = "Établissements",
        ["Users"] = "Utilisateurs",
        ["Collectors"] = "Collecteurs",
        ["Security events"] = "Événements de sécurité",
        ["Recent security events"] = "Événements de sécurité récents",
        ["Signed in as"] = "Connecté en tant que",
        ["Roles"] = "Rôles",
        ["Establishment"] = "Établissement",
        ["Time"] = "Heure",
        ["Action"] = "Action",
        ["Actor"] = "Auteur",
        ["Target"] = "Cible",
        ["Outcome"] = "Résultat",
        ["success"] = "succès",
        ["failure"] = "échec",
        ["Code "] = "Code ",
        ["Name"] = "Nom",
        ["Type"] = "Type",
        ["Parent"] = "Parent",
        ["Time zone"] = "Fuseau horaire",
        ["State"] = "État",
        ["active"] = "actif",
        ["disabled"] = "désactivé",
        ["revoked"] = "révoqué",
        ["Last sign-in"] = "Dernière connexion",
        ["Key"] = "Clé",
        ["Nothing to show."] = "Rien à afficher.",
        ["Invalid username or password."] = "Identifiant ou mot de passe incorrect.",
        ["Account locked after repeated failures. Try again later."] = "Compte verrouillé après plusieurs échecs. Réessayez plus tard.",
        ["Account disabled or expired."] = "Compte désactivé ou expiré.",
        ["Invalid code."] = "Code invalide.",
        ["Your session expired; sign in again."] = "Votre session a expiré ; reconnectez-vous.",
        ["You may not open this page."] = "Vous n'avez pas accès à cette page.",
        ["Access denied"] = "Accès refusé",
        ["Language"] = "Langue",
        ["Security operations for the health system"] = "Opérations de sécurité du système de santé",
        ["Skip to content"] = "Aller au contenu",
        ["Main navigation"] = "Navigation principale",
        ["in your scope"] = "dans votre périmètre",
        ["All establishments in my scope"] = "Tous les établissements de mon périmètre",
        ["Show"] = "Afficher",
        ["Created"] = "Créé le",
        ["Add"] = "Ajouter",
        ["Added"] = "Ajouté",
        ["Add an establishment"] = "Ajouter un établissement",
        ["Add a user"] = "Ajouter un utilisateur",
        ["Add a collector"] = "Ajouter un collecteur",
        ["Role"] = "Rôle",
        ["Profession"] = "Profession",
        ["Actions"] = "Actions",
        ["Enable"] = "Réactiver",
        ["Disable"] = "Désactiver",
        ["Enabled"] = "Réactivé",
        ["Disabled"] = "Désactivé",
        ["Reset a password"] = "Réinitialiser un mot de passe",
        ["New password"] = "Nouveau mot de passe",
        ["Reset"] = "Réinitialiser",
        ["Password reset"] = "Mot de passe réinitialisé",
        ["You cannot disable your own account."] = "Vous ne pouvez pas désactiver votre propre compte.",
        ["API key of the new collector, shown only now:"] = "Clé d'API du nouveau collecteur, affichée une seule fois :",
        ["Revoke"] = "Révoquer",
        ["Revoked"] = "Révoquée",
        ["Revoke this key?"] = "Révoquer cette clé ?",
        ["Last seen"] = "Vu pour la dernière fois",
    }.ToFrozenDictionary();

    public static string Get(string language, string english) =>
        language == French && Fr.TryGetValue(english, out var fr) ? fr : english;

    /// <summary>A word translated in a context (<c>incident|closed</c>), else as a plain word.</summary>
    public static string Get(string language, string context, string english) =>
        language == French && Fr.TryGetValue(context + "|" + english, out var fr) ? fr : Get(language, english);

    /// <summary>Whether a French entry exists, for the test that every word the console shows has one.</summary>
    public static bool HasFrench(string english) => Fr.ContainsKey(english);

    public static string LanguageOf(HttpContext context)
    {
        var lang = context.Request.Cookies[CookieName] ?? context.User.FindFirst(Identity.VigieClaims.Language)?.Value;
        return lang == English ? English : French;
    }
}

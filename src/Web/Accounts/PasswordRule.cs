using Microsoft.AspNetCore.Identity;

namespace LayerLens.Web.Accounts;

/// <summary>The password rule in words, from the same options Identity's validator enforces.</summary>
public static class PasswordRule
{
    public static string Describe(PasswordOptions options)
    {
        var needs = new List<string>();
        if (options.RequireLowercase)
        {
            needs.Add("a lower-case letter");
        }
        if (options.RequireUppercase)
        {
            needs.Add("an upper-case letter");
        }
        if (options.RequireDigit)
        {
            needs.Add("a digit");
        }
        if (options.RequireNonAlphanumeric)
        {
            needs.Add("a symbol");
        }
        if (options.RequiredUniqueChars > 1)
        {
            needs.Add($"{options.RequiredUniqueChars} different characters");
        }
        var length = $"at least {options.RequiredLength} characters";
        return needs.Count switch
        {
            0 => length,
            1 => $"{length}, with {needs[0]}",
            _ => $"{length}, with {string.Join(", ", needs[..^1])} and {needs[^1]}",
        };
    }
}

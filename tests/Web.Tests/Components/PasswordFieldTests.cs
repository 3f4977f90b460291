using Bunit;
using LayerLens.Web.Components.Shared;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace LayerLens.Web.Tests.Components;

/// <summary>The sign-up password hint states the rule the server enforces, read from the same IdentityOptions.</summary>
public sealed class PasswordFieldTests : MudComponentTest
{
    [Fact]
    public void The_hint_lists_every_configured_requirement_and_the_input_enforces_the_length()
    {
        Context.Services.Configure<IdentityOptions>(o =>
        {
            o.Password.RequiredLength = 17;
            o.Password.RequireLowercase = true;
            o.Password.RequireUppercase = true;
            o.Password.RequireDigit = true;
            o.Password.RequireNonAlphanumeric = true;
            o.Password.RequiredUniqueChars = 6;
        });

        var field = Context.Render<PasswordField>();

        var hint = field.Find("[data-testid=password-hint]").TextContent;
        Assert.Contains("at least 17 characters", hint, StringComparison.Ordinal);
        Assert.Contains("a lower-case letter", hint, StringComparison.Ordinal);
        Assert.Contains("an upper-case letter", hint, StringComparison.Ordinal);
        Assert.Contains("a digit", hint, StringComparison.Ordinal);
        Assert.Contains("a symbol", hint, StringComparison.Ordinal);
        Assert.Contains("6 different characters", hint, StringComparison.Ordinal);
        Assert.Equal("17", field.Find("[data-testid=password]").GetAttribute("minlength"));
    }

    [Fact]
    public void Requirements_that_are_off_are_not_claimed()
    {
        Context.Services.Configure<IdentityOptions>(o =>
        {
            o.Password.RequiredLength = 8;
            o.Password.RequireLowercase = false;
            o.Password.RequireUppercase = false;
            o.Password.RequireDigit = false;
            o.Password.RequireNonAlphanumeric = false;
            o.Password.RequiredUniqueChars = 1;
        });

        var hint = Context.Render<PasswordField>().Find("[data-testid=password-hint]").TextContent;

        Assert.Equal("at least 8 characters", hint.Trim());
    }
}

using LayerLens.Analyzer.Dockerfiles.Shell;

namespace LayerLens.Analyzer.Tests.Dockerfiles;

public class ToolRecognizerTests
{
    private static ToolInvocation One(string script) => Assert.Single(ToolRecognizer.Recognize(ShellParser.Parse(script)));

    [Fact]
    public void Apt_get_install_has_subcommand_options_and_packages()
    {
        var apt = One("sudo apt-get -o Dpkg::Options::=--force-confold install -y --no-install-recommends curl=7.88 git");
        Assert.Equal(("apt-get", "install"), (apt.Tool, apt.Subcommand));
        Assert.Equal(["curl=7.88", "git"], apt.Packages);
        Assert.True(apt.HasOption("--no-install-recommends"));
        Assert.True(apt.HasShortOption('y'));
    }

    [Theory]
    [InlineData("npm ci", "npm", "ci", "package.json,package-lock.json,npm-shrinkwrap.json,.npmrc")]
    [InlineData("yarn install --frozen-lockfile", "yarn", "install", "package.json,yarn.lock,.yarnrc,.yarnrc.yml")]
    [InlineData("pnpm install", "pnpm", "install", "package.json,pnpm-lock.yaml,pnpm-workspace.yaml")]
    [InlineData("pip install -r requirements.txt", "pip", "install", "requirements.txt")]
    [InlineData("python3 -m pip install --no-cache-dir -r req/base.txt", "pip", "install", "req/base.txt")]
    [InlineData("poetry install --no-root", "poetry", "install", "pyproject.toml,poetry.lock")]
    [InlineData("pipenv install --deploy", "pipenv", "install", "Pipfile,Pipfile.lock")]
    [InlineData("bundle install", "bundle", "install", "Gemfile,Gemfile.lock")]
    [InlineData("go mod download", "go", "mod download", "go.mod,go.sum")]
    [InlineData("cargo fetch", "cargo", "fetch", "Cargo.toml,Cargo.lock")]
    [InlineData("composer install --no-dev", "composer", "install", "composer.json,composer.lock")]
    public void Dependency_installs_name_the_files_they_read(string script, string tool, string sub, string reads)
    {
        var invocation = One(script);
        Assert.Equal((tool, sub), (invocation.Tool, invocation.Subcommand));
        Assert.Equal(reads.Split(','), invocation.Reads);
    }

    [Theory]
    [InlineData("apk add --no-cache curl", "apk", "add")]
    [InlineData("dnf install -y gcc", "dnf", "install")]
    [InlineData("microdnf install tar", "microdnf", "install")]
    [InlineData("yum install -y make", "yum", "install")]
    [InlineData("zypper --non-interactive install vim", "zypper", "install")]
    [InlineData("gem install rails -v 7.1", "gem", "install")]
    [InlineData("mvn -B package -DskipTests", "mvn", "package")]
    [InlineData("./gradlew build", "gradle", "build")]
    [InlineData("dotnet restore", "dotnet", "restore")]
    public void Other_managers_and_build_tools_are_recognised(string script, string tool, string sub)
    {
        var invocation = One(script);
        Assert.Equal((tool, sub), (invocation.Tool, invocation.Subcommand));
    }

    [Fact]
    public void Downloads_name_urls_and_output_files()
    {
        var curl = One("curl -fsSL -o /tmp/x.tgz https://example.com/x.tgz");
        Assert.Equal(["https://example.com/x.tgz"], curl.Packages);
        Assert.Equal(["/tmp/x.tgz"], curl.Writes);
        var wget = One("wget -q https://example.com/a/b.zip");
        Assert.Equal(["b.zip"], wget.Writes);
    }

    [Fact]
    public void Apk_without_no_cache_leaves_its_cache_and_pip_without_no_cache_dir_too()
    {
        Assert.Equal(["/var/cache/apk"], One("apk add curl").Writes);
        Assert.Empty(One("apk add --no-cache curl").Writes);
        Assert.Equal(["/root/.cache/pip"], One("pip install flask").Writes);
        Assert.Empty(One("pip install --no-cache-dir flask").Writes);
    }

    [Fact]
    public void Unknown_commands_are_not_recognised()
    {
        Assert.Empty(ToolRecognizer.Recognize(ShellParser.Parse("echo npm ci; ls -la")));
    }
}

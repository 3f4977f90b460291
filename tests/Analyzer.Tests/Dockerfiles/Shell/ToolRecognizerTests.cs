using LayerLens.Analyzer.Dockerfiles.Shell;

namespace LayerLens.Analyzer.Tests.Dockerfiles.Shell;

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

    [Theory]
    [InlineData("npm ci", "npm", "package.json", "node_modules")]
    [InlineData("yarn --frozen-lockfile", "yarn", "yarn.lock", "yarn.lock")]
    [InlineData("pip install --no-cache-dir -r requirements.txt", "pip", "requirements.txt", null)]
    [InlineData("poetry install --no-root", "poetry", "poetry.lock", ".venv")]
    [InlineData("go mod download", "go", "go.sum", null)]
    [InlineData("mvn -B dependency:go-offline", "maven", "pom.xml", "target")]
    [InlineData("./gradlew dependencies", "gradle", "settings.gradle", "build")]
    [InlineData("bundle install --jobs 4", "bundler", "Gemfile.lock", "vendor")]
    [InlineData("composer.phar install --no-scripts", "composer", "composer.lock", "vendor")]
    [InlineData("dotnet restore", "dotnet", "**/*.csproj", "**/obj")]
    public void Dependency_installs_confined_to_their_manifests_have_a_footprint(string script, string manager, string manifest, string? relativeWrite)
    {
        var footprint = One(script).Footprint;
        Assert.NotNull(footprint);
        Assert.Equal(manager, footprint.Manager);
        Assert.Contains(manifest, footprint.Manifests);
        if (relativeWrite is not null)
        {
            Assert.Contains(relativeWrite, footprint.RelativeWrites);
        }
        Assert.NotEmpty(footprint.AbsoluteWrites);
    }

    [Theory]
    [InlineData("pip install .")]
    [InlineData("pip install -e ./lib")]
    [InlineData("poetry install")]
    public void Installs_of_the_project_itself_say_they_run_project_code(string script)
    {
        var tool = One(script);
        Assert.NotNull(tool.RunsProjectCode);
        Assert.Null(tool.Footprint);
    }

    [Theory]
    [InlineData("npm install left-pad")]
    [InlineData("npm ci --prefix /opt/app")]
    [InlineData("npm install -g")]
    [InlineData("pip install --target /opt/x -r requirements.txt")]
    [InlineData("mvn dependency:go-offline package")]
    [InlineData("go build ./...")]
    [InlineData("composer install --working-dir /src")]
    public void Installs_that_name_packages_or_move_their_outputs_have_no_footprint(string script)
    {
        Assert.Null(One(script).Footprint);
    }

    [Fact]
    public void Manifest_hooks_find_project_code_in_the_context_or_distrust_a_missing_context()
    {
        var npm = One("npm ci").Footprint!;
        var files = new Dictionary<string, string>
        {
            ["package.json"] = "{\"name\":\"a\"}",
            ["node_modules/dep/package.json"] = "{\"scripts\":{\"postinstall\":\"x\"}}",
        };
        Assert.Null(ManifestHook.Find(npm.Hooks, files.Keys, p => files[p]));
        files["packages/web/package.json"] = "{\"scripts\": {\"install\": \"node-gyp rebuild\"}}";
        Assert.StartsWith("packages/web/package.json:", ManifestHook.Find(npm.Hooks, files.Keys, p => files[p]), StringComparison.Ordinal);
        Assert.NotNull(ManifestHook.Find(npm.Hooks, null, _ => null));
        Assert.NotNull(ManifestHook.Find(npm.Hooks, [".yarn/plugins/x.cjs"], _ => ""));

        var pip = One("pip install -r requirements.txt").Footprint!;
        Assert.Null(ManifestHook.Find(pip.Hooks, ["requirements.txt"], _ => "flask==3.0\n"));
        Assert.NotNull(ManifestHook.Find(pip.Hooks, ["requirements.txt"], _ => "flask==3.0\n-e .\n"));
        Assert.Null(ManifestHook.Find(One("composer install --no-scripts --no-autoloader").Footprint!.Hooks, ["composer.json"], _ => "{\"scripts\":{}}"));
    }
}

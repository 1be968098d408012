using System.Diagnostics;

namespace EsDr.Recovery.Tests.Execute.Git;

/// <summary>
/// Real git repositories in a temp directory, removed afterwards: a bare repository as the remote (<c>origin</c>,
/// branch <c>main</c>) and a work tree cloned from it holding a stack file and two unrelated files, all pushed. Git's
/// global and system config are kept out (<c>GIT_CONFIG_GLOBAL</c>, <c>GIT_CONFIG_NOSYSTEM</c>), so what this
/// machine's user configured cannot change a test.
/// </summary>
internal sealed class GitSandbox : IDisposable
{
    public const string StackFileName = "Pulumi.prod.yaml";
    public const string InitialStack = "config:\n  es-dr:activeRegion: fra\n  es-dr:stack: prod\n";

    private readonly string root = Directory.CreateTempSubdirectory("esdr-git-").FullName;

    public GitSandbox(string? workTree = null)
    {
        Remote = Path.Combine(root, "remote.git");
        WorkTree = workTree ?? Path.Combine(root, "work");
        Git(root, "init", "--quiet", "--bare", "--initial-branch=main", Remote);
        Directory.CreateDirectory(WorkTree);
        Git(WorkTree, "init", "--quiet", "--initial-branch=main");
        Git(WorkTree, "config", "user.name", "Pat Operator");
        Git(WorkTree, "config", "user.email", "pat@example.com");
        Git(WorkTree, "config", "commit.gpgsign", "false");
        if (!File.Exists(StackFile)) File.WriteAllText(StackFile, InitialStack);
        File.WriteAllText(Path.Combine(WorkTree, "README.md"), "readme\n");
        File.WriteAllText(Path.Combine(WorkTree, "notes.txt"), "notes\n");
        Git(WorkTree, "add", "--all");
        Git(WorkTree, "commit", "--quiet", "-m", "initial");
        Git(WorkTree, "remote", "add", "origin", Remote);
        Git(WorkTree, "push", "--quiet", "origin", "main");
    }

    /// <summary>Keeps a test's git from reading this machine's global and system config.</summary>
    public static void IsolateFromUserConfig()
    {
        Environment.SetEnvironmentVariable("GIT_CONFIG_GLOBAL", "/dev/null");
        Environment.SetEnvironmentVariable("GIT_CONFIG_NOSYSTEM", "1");
    }

    static GitSandbox() => IsolateFromUserConfig();

    public string Remote { get; }
    public string WorkTree { get; }
    public string StackFile => Path.Combine(WorkTree, StackFileName);

    /// <summary>A recovery's config step: the stack file changes.</summary>
    public void ChangeStackFile(string line = "  es-dr:activeRegion: dub") =>
        File.WriteAllText(StackFile, File.ReadAllText(StackFile).Replace("  es-dr:activeRegion: fra", line, StringComparison.Ordinal));

    /// <summary>Another clone pushes <paramref name="file"/> with <paramref name="text"/>: the remote moves on.</summary>
    public string PushFromAnotherClone(string file, string text)
    {
        var other = Path.Combine(root, "other-" + Guid.NewGuid().ToString("N")[..8]);
        Git(root, "clone", "--quiet", Remote, other);
        Git(other, "config", "user.name", "Other Person");
        Git(other, "config", "user.email", "other@example.com");
        File.WriteAllText(Path.Combine(other, file), text);
        Git(other, "add", "--all");
        Git(other, "commit", "--quiet", "-m", "unrelated change");
        Git(other, "push", "--quiet", "origin", "main");
        return Git(other, "rev-parse", "HEAD").Trim();
    }

    /// <summary>The remote refuses every push (a pre-receive hook that exits 1 after saying why), until <see cref="AcceptPushes"/>.</summary>
    public void RefusePushes(string body = "echo 'pushes frozen by policy' >&2\nexit 1")
    {
        var hook = Path.Combine(Remote, "hooks", "pre-receive");
        File.WriteAllText(hook, "#!/bin/sh\n" + body + "\n");
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("the remote's hook is a shell script");
        File.SetUnixFileMode(hook, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public void AcceptPushes() => File.Delete(Path.Combine(Remote, "hooks", "pre-receive"));

    public string RemoteHead => Git(Remote, "rev-parse", "refs/heads/main").Trim();

    /// <summary>The files a commit changed.</summary>
    public IReadOnlyList<string> FilesOf(string commit) =>
        Lines(Git(Remote, "diff-tree", "--no-commit-id", "--name-only", "-r", commit));

    public string MessageOf(string commit) => Git(Remote, "log", "-1", "--format=%B", commit);

    public string AuthorOf(string commit) => Git(Remote, "log", "-1", "--format=%an <%ae>", commit).Trim();

    public string ParentOf(string commit) => Git(Remote, "rev-parse", commit + "^").Trim();

    /// <summary>Commits on the remote's main, newest first.</summary>
    public IReadOnlyList<string> RemoteLog() => Lines(Git(Remote, "log", "--format=%H", "main"));

    public IReadOnlyList<string> Staged() => Lines(Git(WorkTree, "diff", "--cached", "--name-only"));

    public IReadOnlyList<string> Unstaged() => Lines(Git(WorkTree, "diff", "--name-only"));

    public static IReadOnlyList<string> Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Runs git for the test's own setup; a failure fails the test with git's words.</summary>
    public static string Git(string directory, params string[] args)
    {
        var start = new ProcessStartInfo("git")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["GIT_TERMINAL_PROMPT"] = "0";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        if (!process.WaitForExit(30_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"git {string.Join(' ', args)} did not finish in 30 s");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"git {string.Join(' ', args)} exited {process.ExitCode}: {error}");
        return output.Result;
    }

    public void Dispose() => Directory.Delete(root, recursive: true);
}

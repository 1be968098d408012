using System.CommandLine;

namespace EsDr.Recovery.Operate;

/// <summary>The options every operator command shares (fresh instances per command).</summary>
internal sealed class OperatorOptions
{
    public Option<FileInfo> StackFile { get; } = new("--stack-file")
    {
        Description = "the stack's config; its directory is the pulumi project (default: Pulumi.prod.yaml)",
        DefaultValueFactory = _ => new FileInfo("Pulumi.prod.yaml"),
    };

    public Option<string?> Stack { get; } = new("--stack") { Description = "the stack's name (default: from the file name, Pulumi.<stack>.yaml)" };

    public Option<FileInfo?> AuditDb { get; } = new("--audit-db")
    {
        Description = "the audit database (default: es-dr:recovery.auditDatabase, else $XDG_STATE_HOME/es-dr/audit.db)",
    };

    public Option<bool> Json { get; } = new("--json") { Description = "machine-readable output on stdout (progress goes to stderr)" };

    public void AddTo(Command command)
    {
        command.Options.Add(StackFile);
        command.Options.Add(Stack);
        command.Options.Add(AuditDb);
        command.Options.Add(Json);
    }
}

namespace EsDr.Recovery.Observe.MySql;

/// <summary>How a statement failed, as far as the client can tell.</summary>
internal enum MySqlFailure
{
    /// <summary>The server answered with an error (1290: a write against read_only; 1045: a wrong password): it is up.</summary>
    ServerError,

    /// <summary>No trusted server could be reached: refused, no route, connect timed out, a certificate that does not verify.</summary>
    Unreachable,

    /// <summary>Connected, but no answer within the statement's time.</summary>
    TimedOut,

    /// <summary>The connection broke mid-answer, or the client failed on its own (an unreadable CA file).</summary>
    Broken,
}

/// <summary>
/// A statement that did not succeed. <see cref="ErrorCode"/> is the driver's error number when it gave one (1290,
/// 1064; 1042 for a server that cannot be reached). The message never carries the password.
/// </summary>
internal sealed class MySqlException(string message, MySqlFailure failure, int? errorCode = null, Exception? inner = null) : Exception(message, inner)
{
    public MySqlFailure Failure { get; } = failure;

    public int? ErrorCode { get; } = errorCode;

    /// <summary>The server itself answered with this error, so it is up (as opposed to unreachable, silent or cut off).</summary>
    public bool ServerAnswered => Failure == MySqlFailure.ServerError;
}

using System.Globalization;
using Driver = MySqlConnector;

namespace EsDr.Recovery.Observe.MySql;

/// <summary>
/// The one mapping from MySqlConnector's failures to <see cref="MySqlFailure"/>. The driver reports a server it
/// could not reach, or whose certificate did not verify, as <see cref="Driver.MySqlErrorCode.UnableToConnectToHost"/>
/// (1042 — not the C client's 2003), a statement out of time as
/// <see cref="Driver.MySqlErrorCode.CommandTimeoutExpired"/> (-1), and its own failures without a server's SQLSTATE;
/// an error packet from the server carries the server's number and SQLSTATE
/// (https://mysqlconnector.net/api/mysqlconnector/mysqlexception/errorcode/). The password is never in a message.
/// </summary>
internal static class DriverErrors
{
    public static MySqlException Map(MySqlEndpoint endpoint, Driver.MySqlException error, TimeSpan statementTime)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(error);
        var code = (int)error.ErrorCode;
        var failure = Classify(error.ErrorCode, error.SqlState);
        var what = failure switch
        {
            MySqlFailure.ServerError => $"answered with error {Number(code)}",
            MySqlFailure.Unreachable => $"unreachable (error {Number(code)})",
            MySqlFailure.TimedOut => $"did not answer within {Number(statementTime.TotalSeconds)} s",
            _ => "failed",
        };
        return new MySqlException($"MySQL at {endpoint} {what}: {Describe(error, endpoint.Password)}", failure, code == 0 ? null : code, error);
    }

    /// <summary>By the driver's typed code first; otherwise a server's error is one with the server's SQLSTATE.</summary>
    internal static MySqlFailure Classify(Driver.MySqlErrorCode code, string? sqlState) => code switch
    {
        Driver.MySqlErrorCode.UnableToConnectToHost => MySqlFailure.Unreachable,
        Driver.MySqlErrorCode.CommandTimeoutExpired => MySqlFailure.TimedOut,
        > 0 when !string.IsNullOrEmpty(sqlState) => MySqlFailure.ServerError,
        _ => MySqlFailure.Broken,
    };

    public static MySqlException TimedOut(MySqlEndpoint endpoint, TimeSpan bound, Exception inner) =>
        new($"MySQL at {endpoint} did not answer within {Number(bound.TotalSeconds)} s.", MySqlFailure.TimedOut, null, inner);

    public static MySqlException Broken(MySqlEndpoint endpoint, Exception inner) =>
        new($"MySQL at {endpoint}: the connection broke: {Redact(inner.Message, endpoint.Password)}", MySqlFailure.Broken, null, inner);

    /// <summary>The driver's message and, for a TLS failure, why the certificate was refused.</summary>
    private static string Describe(Driver.MySqlException error, string password)
    {
        var text = error.InnerException is { } inner && !error.Message.Contains(inner.Message, StringComparison.Ordinal)
            ? $"{error.Message} ({inner.Message})"
            : error.Message;
        return Redact(text, password);
    }

    internal static string Redact(string text, string secret) =>
        string.IsNullOrEmpty(secret) ? text : text.Replace(secret, "[secret]", StringComparison.Ordinal);

    private static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}

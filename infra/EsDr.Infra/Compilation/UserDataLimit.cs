using System.Globalization;

namespace EsDr.Infra.Compilation;

/// <summary>What a cloud's limit counts: the user-data as the VM receives it, or its base64 encoding.</summary>
public enum UserDataCount
{
    Raw,
    Base64,
}

/// <summary>
/// How much user-data one VM of a cloud accepts (<see cref="ICloudAdapter.UserDataLimit"/>), as that cloud
/// counts it. The one statement of each cloud's limit; <see cref="UserDataBudget"/> holds every VM to it.
/// </summary>
/// <param name="Cloud">The cloud as messages name it (<c>AWS</c>).</param>
/// <param name="MaxBytes">The most bytes the cloud accepts, counted as <paramref name="Counted"/> says.</param>
/// <param name="Terms">How the cloud words the limit, for messages (<c>raw, before base64</c>).</param>
public sealed record UserDataLimit(string Cloud, int MaxBytes, UserDataCount Counted, string Terms)
{
    /// <summary>The size the cloud holds against <see cref="MaxBytes"/> for user-data of <paramref name="rawBytes"/> bytes.</summary>
    public long CountOf(long rawBytes) => Counted == UserDataCount.Raw ? rawBytes : ResolvedLength.Base64(rawBytes);

    public bool Admits(long rawBytes) => CountOf(rawBytes) <= MaxBytes;

    public override string ToString() =>
        $"{Cloud}'s limit of {MaxBytes.ToString(CultureInfo.InvariantCulture)} bytes ({Terms})";
}

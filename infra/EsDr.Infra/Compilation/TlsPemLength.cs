using System.Numerics;

namespace EsDr.Infra.Compilation;

/// <summary>A certificate's subject alternative names: each DNS name's and URI's length, each IP address's octets.</summary>
internal sealed record SubjectAlternativeNames(IReadOnlyList<long> DnsNames, IReadOnlyList<long> IpAddressOctets, IReadOnlyList<long> Uris);

/// <summary>What a certificate's size depends on: key sizes, the length of each name attribute's value, its alternative names, its extended key usages.</summary>
internal sealed record CertificateShape(
    int KeyBits,
    int SignerKeyBits,
    IReadOnlyList<long> Subject,
    IReadOnlyList<long> Issuer,
    SubjectAlternativeNames Names,
    int ExtendedKeyUsages);

/// <summary>
/// Upper bounds on the PEM text of the tls provider's RSA keys and X.509 certificates. The provider is built on Go's
/// crypto/x509 and encoding/pem: DER (ITU-T X.690) structures in base64 lines of 64 characters between BEGIN and END
/// lines. Each part below takes its largest DER size; a part that may be absent (an extension) is counted anyway.
/// </summary>
internal static class TlsPemLength
{
    // Certificate parts of fixed largest size, as TLV (tag, length octets, content):
    private const long Version = 5;              // [0] EXPLICIT INTEGER 2 (v3)
    private const long SerialNumber = 22;        // INTEGER of at most 20 octets (RFC 5280 4.1.2.2); the provider draws 128 bits
    private const long SignatureAlgorithm = 15;  // SEQUENCE { OID sha{256,384,512}WithRSAEncryption (9 octets), NULL }
    private const long Validity = 36;            // SEQUENCE { two times, UTCTime (13 octets) or GeneralizedTime (15) }
    private const long AttributeType = 5;        // OID 2.5.4.x, the type of every subject attribute the provider sets
    private const long RsaAlgorithm = 15;        // SEQUENCE { OID rsaEncryption (9 octets), NULL }
    private const long PublicExponent = 6;       // INTEGER e: Go uses 65537 and crypto/x509 refuses e above 2^31 - 1
    private const long KeyUsage = 5;             // BIT STRING of the nine key usages: unused-bits octet and two octets
    private const long ExtendedKeyUsage = 12;    // each an OID of at most 10 octets (Microsoft's server-gated crypto)
    private const long BasicConstraints = 11;    // SEQUENCE { cA BOOLEAN, pathLenConstraint INTEGER of at most 4 octets }
    private const long KeyIdentifier = 34;       // OCTET STRING of a key hash: SHA-1's 20 octets, room for SHA-256's 32
    private const long ExtensionHeader = 8;      // OID 2.5.29.x (5 octets) and critical BOOLEAN (3)

    /// <summary>PKCS #1 <c>RSA PRIVATE KEY</c>: the provider's <c>privateKeyPem</c> for an RSA key.</summary>
    public static long RsaPrivateKey(int bits) => Pem("RSA PRIVATE KEY", RsaPrivateKeyDer(bits));

    public static long Certificate(CertificateShape shape) => Pem("CERTIFICATE", CertificateDer(shape));

    /// <summary>
    /// RFC 8017 A.1.2 with two primes (Go's rsa.GenerateKey): version, n, e, d, then p, q, d mod (p-1), d mod (q-1)
    /// and q⁻¹ mod p, each below a prime of at most half the modulus' bits rounded up.
    /// </summary>
    internal static long RsaPrivateKeyDer(int bits) =>
        Tlv(Tlv(1) + Unsigned(bits) + PublicExponent + Unsigned(bits) + 5 * Unsigned((bits + 1) / 2));

    /// <summary>
    /// RFC 5280 4.1: the signed part (version, serial, algorithm, issuer, validity, subject, public key, extensions),
    /// the algorithm again and the signature, as long as the signer's modulus.
    /// </summary>
    internal static long CertificateDer(CertificateShape c)
    {
        var signed = Tlv(Version + SerialNumber + SignatureAlgorithm + Name(c.Issuer) + Validity + Name(c.Subject)
                         + Tlv(RsaAlgorithm + Tlv(1 + Tlv(Unsigned(c.KeyBits) + PublicExponent))) + Extensions(c));
        return Tlv(signed + SignatureAlgorithm + Tlv(1 + Octets(c.SignerKeyBits)));
    }

    /// <summary>A Name: one RDN per attribute, SET { SEQUENCE { type, string } } (PrintableString or UTF8String).</summary>
    private static long Name(IReadOnlyList<long> values) => Tlv(values.Sum(v => Tlv(Tlv(AttributeType + Tlv(v)))));

    /// <summary>
    /// Every extension the provider can write: key usage, extended key usage (one OID each), basic
    /// constraints, subject and authority key identifiers, subject alternative names; each as if critical.
    /// </summary>
    private static long Extensions(CertificateShape c)
    {
        var names = c.Names.DnsNames.Sum(Tlv) + c.Names.Uris.Sum(Tlv) + c.Names.IpAddressOctets.Sum(Tlv);
        var all = Extension(KeyUsage) + Extension(Tlv(c.ExtendedKeyUsages * ExtendedKeyUsage)) + Extension(BasicConstraints)
                  + Extension(KeyIdentifier) + Extension(Tlv(KeyIdentifier)) + Extension(Tlv(names));
        return Tlv(Tlv(all)); // [3] EXPLICIT SEQUENCE OF Extension
    }

    /// <summary>SEQUENCE { OID, critical, OCTET STRING { value } }.</summary>
    private static long Extension(long value) => Tlv(ExtensionHeader + Tlv(value));

    /// <summary>A non-negative INTEGER of at most <paramref name="bits"/> bits: its octets and a leading zero octet when the top bit is set.</summary>
    private static long Unsigned(int bits) => Tlv(Octets(bits) + 1);

    private static long Octets(int bits) => (bits + 7) / 8;

    /// <summary>Tag, length (one octet below 128, else one plus the octets of the length), content.</summary>
    private static long Tlv(long content) =>
        1 + (content < 0x80 ? 1 : 1 + (64 - BitOperations.LeadingZeroCount((ulong)content) + 7) / 8) + content;

    /// <summary>Go's pem.Encode: BEGIN line, base64 in lines of 64 characters each ending in a newline, END line.</summary>
    private static long Pem(string label, long der)
    {
        var base64 = ResolvedLength.Base64(der);
        return $"-----BEGIN {label}-----\n".Length + base64 + (base64 + 63) / 64 + $"-----END {label}-----\n".Length;
    }
}

using YamlDotNet.Core;

namespace EsDr.Infra.YamlText;

/// <summary>
/// Where a document is written, one structural step at a time: the <see cref="BlockYamlWriter"/>, or YamlDotNet's
/// emitter through <see cref="EmitterTarget"/>. A writer walks its data once against this, so both ways of writing
/// share one definition of the document's structure and scalar styles.
/// </summary>
internal interface IBlockYamlTarget
{
    void MappingStart();

    void MappingEnd();

    void EmptyMapping();

    void SequenceStart();

    void SequenceEnd();

    void EmptySequence();

    /// <summary>Before each item of a sequence.</summary>
    void Item();

    void Key(string key, ScalarStyle style);

    void Scalar(string value, ScalarStyle style);
}

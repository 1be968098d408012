using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace EsDr.Infra.YamlText;

/// <summary>
/// YamlDotNet's emitter behind <see cref="IBlockYamlTarget"/>: the reference the <see cref="BlockYamlWriter"/> is held
/// to, and what writes a document that writer declines.
/// </summary>
internal sealed class EmitterTarget : IBlockYamlTarget, IDisposable
{
    private readonly StringWriter text = new(CultureInfo.InvariantCulture) { NewLine = "\n" };
    private readonly Emitter emitter;

    public EmitterTarget(EmitterSettings settings)
    {
        emitter = new Emitter(text, settings);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart());
    }

    public string Finish()
    {
        emitter.Emit(new DocumentEnd(true));
        emitter.Emit(new StreamEnd());
        return text.ToString();
    }

    public void Dispose() => text.Dispose();

    public void MappingStart() => emitter.Emit(new YamlDotNet.Core.Events.MappingStart());

    public void MappingEnd() => emitter.Emit(new YamlDotNet.Core.Events.MappingEnd());

    public void EmptyMapping()
    {
        MappingStart();
        MappingEnd();
    }

    public void SequenceStart() => emitter.Emit(new YamlDotNet.Core.Events.SequenceStart(null, null, false, SequenceStyle.Block));

    public void SequenceEnd() => emitter.Emit(new YamlDotNet.Core.Events.SequenceEnd());

    public void EmptySequence()
    {
        SequenceStart();
        SequenceEnd();
    }

    public void Item()
    {
    }

    public void Key(string key, ScalarStyle style) => Scalar(key, style);

    public void Scalar(string value, ScalarStyle style) =>
        emitter.Emit(new YamlDotNet.Core.Events.Scalar(null, null, value, style, true, style != ScalarStyle.Literal));
}

using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Docker.DotNet.Models;

namespace Berth.Swarm.Apply.Engine;

/// <summary>
/// The Engine API's wire JSON for the Docker.DotNet model types Berth sends and reads: durations in nanoseconds,
/// times as RFC 3339 strings or Unix seconds, the two enums by the engine's names.
/// Bodies are always read into memory and deserialised synchronously: an asynchronous stream read anywhere in the
/// binary makes Native AOT give every JSON type in it the async machinery (docs/design/startup.md).
/// </summary>
internal static class EngineJson
{
    private static readonly JsonSerializerOptions s_options = CreateOptions();

    public static EngineJsonContext Context { get; } = new(s_options);

    public static byte[] Serialize<T>(T value, JsonTypeInfo<T> type) => JsonSerializer.SerializeToUtf8Bytes(value, type);

    public static T Deserialize<T>(ReadOnlySpan<byte> body, JsonTypeInfo<T> type) =>
        JsonSerializer.Deserialize(body, type) ?? throw new JsonException($"the engine answered null where a {typeof(T).Name} was expected");

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
        options.Converters.Add(new NanosecondDuration());
        options.Converters.Add(new EngineTime());
        options.Converters.Add(new EnumNames<TaskState>(
            (TaskState.New, "new"),
            (TaskState.Allocated, "allocated"),
            (TaskState.Pending, "pending"),
            (TaskState.Assigned, "assigned"),
            (TaskState.Accepted, "accepted"),
            (TaskState.Preparing, "preparing"),
            (TaskState.Ready, "ready"),
            (TaskState.Starting, "starting"),
            (TaskState.Running, "running"),
            (TaskState.Complete, "complete"),
            (TaskState.Shutdown, "shutdown"),
            (TaskState.Failed, "failed"),
            (TaskState.Rejected, "rejected"),
            (TaskState.Remove, "remove"),
            (TaskState.Orphaned, "orphaned")));
        options.Converters.Add(new EnumNames<RestartPolicyKind>(
            (RestartPolicyKind.Undefined, string.Empty),
            (RestartPolicyKind.No, "no"),
            (RestartPolicyKind.Always, "always"),
            (RestartPolicyKind.OnFailure, "on-failure"),
            (RestartPolicyKind.UnlessStopped, "unless-stopped")));
        return options;
    }

    /// <summary>Go's time.Duration: an integer count of nanoseconds.</summary>
    private sealed class NanosecondDuration : JsonConverter<TimeSpan>
    {
        private const long NanosecondsPerTick = 100;

        public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            TimeSpan.FromTicks(reader.GetInt64() / NanosecondsPerTick);

        public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options) =>
            writer.WriteNumberValue(value.Ticks * NanosecondsPerTick);
    }

    /// <summary>Times come as RFC 3339 strings, except an image's Created, which is Unix seconds.</summary>
    private sealed class EngineTime : JsonConverter<DateTime>
    {
        public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
        {
            JsonTokenType.Number => DateTime.UnixEpoch.AddSeconds(reader.GetInt64()),
            JsonTokenType.String => reader.GetDateTime(),
            _ => throw new JsonException($"expected a time, found {reader.TokenType}"),
        };

        public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>An enum written as the engine spells it (<c>running</c>, <c>on-failure</c>), from an explicit table (no reflection under Native AOT).</summary>
    private sealed class EnumNames<TEnum>(params (TEnum Value, string Name)[] names) : JsonConverter<TEnum>
        where TEnum : struct, Enum
    {
        public override TEnum Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var text = reader.GetString();
            foreach (var (value, name) in names)
            {
                if (string.Equals(name, text, StringComparison.Ordinal))
                {
                    return value;
                }
            }

            throw new JsonException($"unknown {typeof(TEnum).Name} '{text}'");
        }

        public override void Write(Utf8JsonWriter writer, TEnum value, JsonSerializerOptions options)
        {
            foreach (var (known, name) in names)
            {
                if (EqualityComparer<TEnum>.Default.Equals(known, value))
                {
                    writer.WriteStringValue(name);
                    return;
                }
            }

            throw new JsonException($"no engine name for {typeof(TEnum).Name}.{value}");
        }
    }
}

/// <summary>The types Berth exchanges with the engine (requests and responses).</summary>
[JsonSerializable(typeof(SystemInfoResponse))]
[JsonSerializable(typeof(SwarmService))]
[JsonSerializable(typeof(SwarmService[]))]
[JsonSerializable(typeof(ServiceSpec))]
[JsonSerializable(typeof(ServiceCreateResponse))]
[JsonSerializable(typeof(ServiceUpdateResponse))]
[JsonSerializable(typeof(NodeListResponse[]))]
[JsonSerializable(typeof(NodeUpdateParameters))]
[JsonSerializable(typeof(TaskResponse))]
[JsonSerializable(typeof(TaskResponse[]))]
[JsonSerializable(typeof(NetworkResponse[]))]
[JsonSerializable(typeof(NetworksCreateParameters))]
[JsonSerializable(typeof(NetworksCreateResponse))]
[JsonSerializable(typeof(Secret[]))]
[JsonSerializable(typeof(SwarmSecretSpec))]
[JsonSerializable(typeof(SecretCreateResponse))]
[JsonSerializable(typeof(SwarmConfig[]))]
[JsonSerializable(typeof(SwarmConfigSpec))]
[JsonSerializable(typeof(SwarmCreateConfigResponse))]
[JsonSerializable(typeof(VolumesListResponse))]
[JsonSerializable(typeof(ImagesListResponse[]))]
[JsonSerializable(typeof(DistributionInspectResponse))]
[JsonSerializable(typeof(AuthConfig))]
[JsonSerializable(typeof(IDictionary<string, IDictionary<string, bool>>))]
internal sealed partial class EngineJsonContext : JsonSerializerContext;

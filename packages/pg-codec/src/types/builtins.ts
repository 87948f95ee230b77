// The codecs every TypeRegistry starts with, configured by the decoding options. Adding a built-in
// type means adding its codec here (its array type comes with it through `arrayOid`).

import { boolCodec } from "./bool.js";
import { byteaCodec } from "./bytea.js";
import type { ResolvedTypeOptions, TypeCodec } from "./codec.js";
import { dateCodec } from "./date.js";
import { float4Codec, float8Codec } from "./floats.js";
import { int2Codec, int4Codec, int8Codec, oidCodec } from "./integers.js";
import { intervalCodec } from "./interval.js";
import { jsonbCodec, jsonCodec } from "./json.js";
import { cidrCodec, inetCodec } from "./network.js";
import { numericCodec } from "./numeric.js";
import { textFamilyCodecs } from "./text.js";
import { withTextDecoding } from "./text-results.js";
import { timeCodec, timetzCodec } from "./time.js";
import { timestampCodec } from "./timestamp.js";
import { uuidCodec } from "./uuid.js";

export function builtinCodecs(options: ResolvedTypeOptions): TypeCodec<any>[] {
  return [
    boolCodec,
    byteaCodec,
    ...textFamilyCodecs,
    intervalCodec,
    jsonCodec,
    jsonbCodec,
    // These encoders accept the server's text output, which gives them text-format decoding for free.
    ...(
      [
        int2Codec,
        int4Codec,
        int8Codec(options),
        oidCodec,
        float4Codec,
        float8Codec,
        numericCodec,
        uuidCodec,
        dateCodec(options),
        timeCodec,
        timetzCodec,
        timestampCodec(options, false),
        timestampCodec(options, true),
        inetCodec,
        cidrCodec,
      ] as TypeCodec<any>[]
    ).map(withTextDecoding),
  ];
}

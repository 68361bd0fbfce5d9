import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';

/**
 * A tfjs IOHandler that saves to and loads from a directory (`model.json` + `weights.bin`), as
 * tfjs-node's `file://` handler does (that package cannot be installed everywhere: it downloads
 * libtensorflow). Training state such as the optimizer's slots goes in the same two files.
 */
export function directoryHandler(directory: string): tf.io.IOHandler {
  const modelPath = join(directory, 'model.json');
  const weightsPath = join(directory, 'weights.bin');
  return {
    async save(artifacts) {
      mkdirSync(directory, { recursive: true });
      const weightData = tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      writeFileSync(weightsPath, Buffer.from(weightData));
      const { weightData: _weights, ...json } = artifacts;
      writeFileSync(modelPath, JSON.stringify({ ...json, weightsFile: 'weights.bin' }));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
    async load() {
      const json = JSON.parse(readFileSync(modelPath, 'utf8')) as tf.io.ModelArtifacts;
      const bytes = readFileSync(weightsPath);
      return {
        ...json,
        weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
      };
    },
  };
}

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProcessFailedError } from '../../../src/core/process/run';
import { hostDockerArgs, placementComposeEnv, unreachableReason } from '../../../src/core/compose/hosts';
import { MAIN_HOST_SPEC } from '../../../src/core/scenarios/file';
import type { HostSpec } from '../../../src/core/scenarios/file';

const SPARK2: HostSpec = { name: 'spark-2', main: false, docker: 'ssh://me@10.231.7.2', address: '10.231.7.2', line: 12 };
const CONTEXT: HostSpec = { name: 'spark-3', main: false, docker: 'spark-3', address: '10.231.8.2' };
const failed = (stderr: string) => new ProcessFailedError('docker info', 1, stderr);

describe('a model server\'s compose environment per host', () => {
  it('on another host: its engine, its address to publish on and the key', () => {
    assert.deepEqual(placementComposeEnv(SPARK2, 'sk-k'), { DOCKER_HOST: 'ssh://me@10.231.7.2', DOCKER_CONTEXT: '', VLLM_BIND_ADDRESS: '10.231.7.2', VLLM_API_KEY: 'sk-k' });
    assert.deepEqual(placementComposeEnv(CONTEXT, 'sk-k').DOCKER_CONTEXT, 'spark-3');
  });

  it('on this machine: address and key emptied, so a value in the shell never publishes a keyless server', () => {
    assert.deepEqual(placementComposeEnv(MAIN_HOST_SPEC, 'sk-k'), { VLLM_BIND_ADDRESS: '', VLLM_API_KEY: '' });
  });

  it('shows the docker flag that reaches a host', () => {
    assert.deepEqual(hostDockerArgs(SPARK2), ['--host', 'ssh://me@10.231.7.2']);
    assert.deepEqual(hostDockerArgs(CONTEXT), ['--context', 'spark-3']);
    assert.deepEqual(hostDockerArgs(MAIN_HOST_SPEC), []);
  });
});

describe('why a host cannot be reached, and the fix', () => {
  const cases: [string, RegExp][] = [
    ['ssh: connect to host 10.231.7.2 port 22: Connection refused', /Start the SSH server on host spark-2/],
    ['me@10.231.7.2: Permission denied (publickey).', /ssh-copy-id me@10\.231\.7\.2/],
    ['Host key verification failed.', /`ssh me@10\.231\.7\.2` once in a terminal .*`ssh-keygen -R 10\.231\.7\.2`/],
    ['ssh: connect to host 10.231.7.2 port 22: No route to host', /Check the cluster link to host spark-2 \(ping 10\.231\.7\.2\)/],
    ['Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?', /Start Docker on host spark-2/],
  ];
  for (const [stderr, fix] of cases) {
    it(stderr, () => {
      const { reason, fix: given } = unreachableReason(SPARK2, failed(`error during connect\n${stderr}\n`));
      assert.equal(reason, stderr);
      assert.match(given, fix);
    });
  }

  it('names the scenarios.yaml line of the host when nothing answers in time', () => {
    assert.match(unreachableReason(SPARK2, new Error('cancelled'), true).fix, /"docker:" of host spark-2 in scenarios\.yaml \(line 12\)/);
  });

  it('says how to create a missing context', () => {
    assert.match(unreachableReason(CONTEXT, failed('context "spark-3" does not exist')).fix, /docker context create spark-3 --docker host=ssh:\/\/USER@10\.231\.8\.2/);
  });
});

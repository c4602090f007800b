/** Every check adopting runs, one per kind of problem, in the order their problems are listed. */
import type { AdoptContext } from '../context';
import type { CheckResult } from '../types';
import { defaultSecretCheck, envTemplateNameCheck } from './env-template';
import { externalNetworkCheck, hardcodedSecretCheck, healthcheckToolCheck, litellmPortCheck, portsCheck, unpinnedImageCheck } from './compose';
import { memoryFractionCheck, memoryFractionsSumCheck, servedNameCheck, tensorParallelCheck, toolParserCheck } from './model-command';
import { nginxHealthCheck, nginxIpv6Check } from './nginx';
import { envPlaceholderCheck, routeTargetCheck, unroutedModelCheck } from './routes';
import { testEndpointsCheck } from './scripts';

export type Check = (ctx: AdoptContext) => CheckResult;

export const CHECKS: readonly Check[] = [
  envTemplateNameCheck,
  servedNameCheck,
  routeTargetCheck,
  toolParserCheck,
  healthcheckToolCheck,
  nginxHealthCheck,
  nginxIpv6Check,
  litellmPortCheck,
  defaultSecretCheck,
  hardcodedSecretCheck,
  envPlaceholderCheck,
  memoryFractionCheck,
  memoryFractionsSumCheck,
  tensorParallelCheck,
  testEndpointsCheck,
  unroutedModelCheck,
  portsCheck,
  externalNetworkCheck,
  unpinnedImageCheck,
];

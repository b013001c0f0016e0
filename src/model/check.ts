/**
 * What every normalized program must be before the engine may run it, whatever the vendor: each
 * stage's chain and each jump's target exist, no chain that packets enter leads back into itself
 * (a walk would never end), names are unique, and points of one traffic kind and variant do not claim the same
 * packets. A normalizer that breaks this was given input its firewall would refuse (or has a bug):
 * either way the user hears where, as an input error, instead of an internal one.
 */
import type { Diagnostic, Location } from './errors';
import type { DecisionChain, DecisionRule, EnforcementPoint, PolicyProgram } from './policy';

export function checkProgram(program: PolicyProgram): Diagnostic[] {
  return [...checkNames(program), ...checkTargets(program), ...checkLoops(program), ...checkPointScopes(program)];
}

function at(program: PolicyProgram, rule: DecisionRule | undefined): Location {
  return rule
    ? { file: rule.source.file, line: rule.source.line, ...(rule.source.path ? { path: rule.source.path } : {}) }
    : { file: program.file };
}

function checkNames(program: PolicyProgram): Diagnostic[] {
  const problems: Diagnostic[] = [];
  const seenPoints = new Set<string>();
  for (const point of program.points) {
    if (seenPoints.has(point.id))
      problems.push({ location: at(program, undefined), message: `two enforcement points are both named ${point.id}` });
    seenPoints.add(point.id);
  }
  const seenRules = new Set<string>();
  for (const [key, chain] of program.chains) {
    if (key !== chain.name)
      problems.push({ location: at(program, undefined), message: `chain ${chain.name} is filed under the name ${key}` });
    for (const rule of chain.rules) {
      if (seenRules.has(rule.id)) problems.push({ location: at(program, rule), message: `two rules have the id ${rule.id}` });
      seenRules.add(rule.id);
    }
  }
  return problems;
}

function checkTargets(program: PolicyProgram): Diagnostic[] {
  const problems: Diagnostic[] = [];
  for (const point of program.points) {
    if (point.unfiltered && point.stages.length > 0) {
      problems.push({
        location: at(program, undefined),
        message: `enforcement point ${point.label} filters nothing (${point.unfiltered.reason}) but has stages`,
      });
    }
    for (const stage of point.stages) {
      if (!program.chains.has(stage.chain)) {
        problems.push({
          location: at(program, undefined),
          message: `enforcement point ${point.label} runs chain ${stage.chain}, which the configuration does not define`,
        });
      }
    }
  }
  for (const chain of program.chains.values()) {
    for (const rule of chain.rules) {
      const target = jumpTarget(rule);
      if (target !== undefined && !program.chains.has(target)) {
        problems.push({
          location: at(program, rule),
          message: `the rule continues in chain ${target}, which the configuration does not define`,
        });
      }
    }
  }
  return problems;
}

function jumpTarget(rule: DecisionRule): string | undefined {
  return rule.action.kind === 'jump' || rule.action.kind === 'goto' ? rule.action.chain : undefined;
}

/**
 * Depth-first over the jump graph from the chains packets enter, without recursion, so that
 * thousands of nested chains cost no stack. A loop no packet can enter is harmless (the kernel
 * accepts one too).
 */
function checkLoops(program: PolicyProgram): Diagnostic[] {
  const state = new Map<string, 'open' | 'done'>();
  for (const name of new Set(program.points.flatMap((point) => point.stages.map((stage) => stage.chain)))) {
    const root = program.chains.get(name);
    if (root === undefined || state.has(root.name)) continue;
    const stack: { chain: DecisionChain; next: number }[] = [{ chain: root, next: 0 }];
    state.set(root.name, 'open');
    while (stack.length > 0) {
      const frame = stack[stack.length - 1];
      const rule = frame.chain.rules[frame.next++];
      if (rule === undefined) {
        state.set(frame.chain.name, 'done');
        stack.pop();
        continue;
      }
      const target = jumpTarget(rule);
      const called = target === undefined ? undefined : program.chains.get(target);
      if (called === undefined) continue;
      const seen = state.get(called.name);
      if (seen === 'open') {
        return [
          {
            location: at(program, rule),
            message: `${called.phrase} leads back into itself through this rule (a loop, which the firewall refuses)`,
          },
        ];
      }
      if (seen === undefined) {
        state.set(called.name, 'open');
        stack.push({ chain: called, next: 0 });
      }
    }
  }
  return [];
}

/** Two points of one traffic kind and variant overlap unless their interface scopes keep them apart in some direction. */
function checkPointScopes(program: PolicyProgram): Diagnostic[] {
  const problems: Diagnostic[] = [];
  program.points.forEach((a, i) => {
    for (const b of program.points.slice(i + 1)) {
      if (a.traffic !== b.traffic || !sameOrAlways(a, b)) continue;
      if (apart(a.interfaces?.in, b.interfaces?.in) || apart(a.interfaces?.out, b.interfaces?.out)) continue;
      problems.push({
        location: at(program, undefined),
        message: `enforcement points ${a.label} and ${b.label} both see the same ${a.traffic} packets`,
      });
    }
  });
  return problems;
}

/** Whether both points can apply at once: the same variant, or one without a variant. */
function sameOrAlways(a: EnforcementPoint, b: EnforcementPoint): boolean {
  return a.variant === undefined || b.variant === undefined || a.variant === b.variant;
}

function apart(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  return a !== undefined && b !== undefined && !a.some((name) => b.includes(name));
}

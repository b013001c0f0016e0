/** A problem with a value the kernel would refuse: the normalizer turns it into a located input error. */
export class BadValue extends Error {}

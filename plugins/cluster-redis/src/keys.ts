/** Every key and channel of one installation, under its prefix. */
export function clusterKeys(prefix: string) {
  return {
    member: (id: string) => `${prefix}member:${id}`,
    members: `${prefix}members`,
    membershipChannel: `${prefix}membership`,
    /** Each node's subscriber listens here: Redis drops it the moment the node's process dies. */
    aliveChannel: (id: string) => `${prefix}alive:${id}`,
    epoch: `${prefix}epoch`,
    lock: (name: string) => `${prefix}lock:${name}`,
    session: (id: string) => `${prefix}session:${id}`,
    sessions: `${prefix}sessions`,
    userSessions: (contextId: number, userId: number) => `${prefix}sessions:user:${contextId}:${userId}`,
    sessionRemovedChannel: `${prefix}sessions:removed`,
    credentials: (contextId: number, userId: number) => `${prefix}credentials:${contextId}:${userId}`,
    credentialsRemovedChannel: `${prefix}credentials:removed`,
    socketIoChannel: `${prefix}socket.io`,
    broadcast: (topic: string) => `${prefix}broadcast:${topic}`,
  };
}

export type ClusterKeys = ReturnType<typeof clusterKeys>;

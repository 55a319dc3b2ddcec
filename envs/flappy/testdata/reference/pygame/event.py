def pump(): pass

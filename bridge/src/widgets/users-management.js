export { UsersManagement as default } from "@workos-inc/widgets/users-management";
